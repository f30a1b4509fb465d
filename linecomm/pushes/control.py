"""Pausing, resuming and stopping a delivery under way. Batches already in flight finish (and count as
sent if LINE took them); nothing new is claimed while paused; a stopped delivery's unsent batches are
cancelled for good. The delivery's owner is told each change (linecomm.pushes.owners)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.db import dialect_name, utcnow
from linecomm.pushes import copy, owners
from linecomm.pushes import policy as policies
from linecomm.pushes.errors import PushError
from linecomm.pushes.models import BatchStatus, Delivery, DeliveryBatch, DeliveryStatus
from linecomm.pushes.service import WAKE_JOB
from linecomm.queue import enqueue_after_commit


def _locked(session: Session, delivery_id: int) -> Delivery:
    stmt = select(Delivery).where(Delivery.id == delivery_id).execution_options(populate_existing=True)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    delivery = session.scalar(stmt)
    if delivery is None:
        raise PushError(f"配信 {delivery_id} は見つかりません。")
    return delivery


def _refuse(delivery: Delivery, action: str) -> PushError:
    label = copy.STATUS_LABELS.get(delivery.status, delivery.status)
    return PushError(f"この配信は「{label}」のため、{action}できません。")


def pause(session: Session, delivery_id: int) -> Delivery:
    delivery = _locked(session, delivery_id)
    if delivery.status != DeliveryStatus.SENDING:
        raise _refuse(delivery, "一時停止")
    delivery.status = DeliveryStatus.PAUSED
    owners.status_changed(session, delivery.kind, delivery.id, DeliveryStatus.PAUSED)
    return delivery


def resume(session: Session, delivery_id: int, now: datetime | None = None) -> Delivery:
    """Carry on sending; inside quiet hours it waits for their end. Lanes start after commit."""
    now = now or utcnow()
    delivery = _locked(session, delivery_id)
    if delivery.status != DeliveryStatus.PAUSED:
        raise _refuse(delivery, "再開")
    delivery.status = DeliveryStatus.SENDING
    if delivery.kind != "test":
        delivery.not_before = policies.quiet_hours(policies.current(session)).release(now)
    delivery.heartbeat_at = now
    owners.status_changed(session, delivery.kind, delivery.id, DeliveryStatus.SENDING)
    enqueue_after_commit(session, WAKE_JOB, delivery.id)
    return delivery


def stop(session: Session, delivery_id: int, now: datetime | None = None) -> Delivery:
    """Cancel the rest of a delivery (starting, sending or paused)."""
    now = now or utcnow()
    delivery = _locked(session, delivery_id)
    if delivery.status not in (DeliveryStatus.STARTING, DeliveryStatus.SENDING, DeliveryStatus.PAUSED):
        raise _refuse(delivery, "取り消し")
    session.execute(
        update(DeliveryBatch)
        .where(DeliveryBatch.delivery_id == delivery.id, DeliveryBatch.status == BatchStatus.PENDING)
        .values(status=BatchStatus.CANCELLED, finished_at=now)
    )
    delivery.status, delivery.finished_at = DeliveryStatus.CANCELLED, now
    owners.status_changed(session, delivery.kind, delivery.id, DeliveryStatus.CANCELLED)
    return delivery
