"""Training the reader the product ships (answering/model/): the SQuAD fine-tuning recipe (`train_reader`), the
near misses it learns to refuse (`negatives`), and the continuation of the shipped weights on multi-passage
episodes (`continue_reader`). Run from the repository (`python -m training.train_reader ...`); CI never trains.
What the models score is measured by bench/."""
