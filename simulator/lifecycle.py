"""Row lifecycles (ticket open -> accepted -> closed, incident reported -> ... -> closed).

A generated row carries the planned times of its later stages in planning columns (``_x``).
When the row is written in a step ending at ``b``, stages due by ``b`` are applied to the row
at once; later stages go to ``sim_pending`` and are applied by the step that reaches them.
Either way the row after time T is the same, so the result does not depend on how the clock
was advanced. ``updated_at`` is always the time of the latest applied stage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select

from .feeds import Step
from .frame import Frame, strings
from .schema import metadata, sim_pending
from .times import NULL_TIME, to_datetime

AT = "@stage-time"
"""Marker value: set the column to the stage's own time."""


@dataclass(frozen=True)
class Stage:
    name: str
    at: str
    """Planning column holding the stage's epoch time (NULL_TIME = never)."""
    sets: Mapping[str, object]
    """Column -> AT, a planning column name ('_x'), or a literal value."""


class Lifecycle:
    def __init__(self, table_name: str, stages: tuple[Stage, ...]):
        self.table = metadata.tables[table_name]
        (self.key,) = [c.name for c in self.table.primary_key.columns]
        self.stages = stages

    def _value(self, frame: Frame, stage: Stage, spec) -> np.ndarray:
        if spec is AT:
            return frame[stage.at]
        if isinstance(spec, str) and spec.startswith("_"):
            return frame[spec]
        return np.full(frame.n, spec, dtype=object)

    def write(self, step: Step, frame: Frame) -> None:
        """Insert ``frame`` as it stands at ``step.b`` and schedule its later stages."""
        if not frame.n:
            return
        out = frame.copy()
        pending_ids, keys, dues, payloads = [], [], [], []
        for stage in self.stages:
            at = out[stage.at]
            done = (at != NULL_TIME) & (at <= step.b)
            for col, spec in stage.sets.items():
                out[col] = np.where(done, self._value(out, stage, spec), out[col])
            out["updated_at"] = np.where(done, np.maximum(out["updated_at"], at), out["updated_at"])
            later = np.nonzero((at != NULL_TIME) & (at > step.b))[0]
            if not len(later):
                continue
            values = {
                col: self._value(out, stage, spec)[later].tolist()
                for col, spec in stage.sets.items()
            }
            row_keys = out[self.key][later].tolist()
            for j, (key, due) in enumerate(zip(row_keys, at[later].tolist(), strict=True)):
                payload = {col: vals[j] for col, vals in values.items()}
                pending_ids.append(f"{self.table.name}:{key}:{stage.name}")
                keys.append(str(key))
                dues.append(int(due))
                payloads.append(json.dumps(payload, ensure_ascii=False, sort_keys=True))
        step.insert(self.table, out)
        if pending_ids:
            due = np.array(dues, dtype=np.int64)
            step.insert(
                sim_pending,
                Frame(
                    {
                        "pending_id": strings(pending_ids),
                        "table_name": strings([self.table.name] * len(keys)),
                        "row_key": strings(keys),
                        "due_at": due,
                        "payload": strings(payloads),
                        "updated_at": due,
                    }
                ),
            )


def apply_due(step: Step) -> None:
    """Apply every scheduled stage due by ``step.b`` (in time order) and forget it."""
    step.flush()  # read what earlier queued work wrote
    conn = step.conn
    rows = conn.execute(
        select(
            sim_pending.c.table_name,
            sim_pending.c.row_key,
            sim_pending.c.due_at,
            sim_pending.c.payload,
        )
        .where(sim_pending.c.due_at <= to_datetime(step.b))
        .order_by(sim_pending.c.due_at, sim_pending.c.pending_id)
    ).all()
    if not rows:
        return
    merged: dict[tuple[str, str], dict] = {}
    for table_name, key, due, payload in rows:
        state = merged.setdefault((table_name, key), {})
        state.update(json.loads(payload))
        state["updated_at"] = int(due.timestamp())
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[str, dict]]] = {}
    for (table_name, key), state in merged.items():
        groups.setdefault((table_name, tuple(sorted(state))), []).append((key, state))
    for (table_name, cols), items in sorted(groups.items()):
        table = metadata.tables[table_name]
        (key_col,) = [c.name for c in table.primary_key.columns]
        columns = {col: [state[col] for _, state in items] for col in cols}
        columns[key_col] = [key for key, _ in items]
        step.update(table, (key_col,), Frame(_object_columns(columns)))
    done = delete(sim_pending).where(sim_pending.c.due_at <= to_datetime(step.b))
    step.run(lambda: conn.execute(done))


def _object_columns(columns: dict[str, list]) -> dict[str, np.ndarray]:
    out = {}
    for name, values in columns.items():
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        out[name] = arr
    return out
