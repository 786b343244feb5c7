"""The live side's records in one object (`Library.records`): one attribute per group of tables, each a `Records`
(embeddings/store/base.py) over the same store, each table written by its group's class only."""

from __future__ import annotations

from embeddings.store.answers import AnswerRecords
from embeddings.store.base import Store
from embeddings.store.briefs import BriefRecords
from embeddings.store.feeds import FeedRecords
from embeddings.store.leases import Leases
from embeddings.store.tariffs import TariffRecords
from embeddings.store.watches import WatchRecords


class LiveRecords:
    def __init__(self, store: Store):
        self.feeds = FeedRecords(store)  # feeds, the items they brought, subscriptions and deliveries
        self.answers = AnswerRecords(store)  # answers given and the feedback on them
        self.watches = WatchRecords(store)  # standing questions and their outbox (answering/watch.py decides)
        self.briefs = BriefRecords(store)  # daily briefs: where, when, the day posted last
        self.leases = Leases(store)  # which process does a job (polls a feed, runs the watches' round)
        self.tariffs = TariffRecords(store)  # the tariff board's facts, and the channels that watch it
