"""The demo helpdesk: Popote, a fictional meal-delivery company in Paris and Lyon.

``generate_demo`` writes a realistic store (customers, orders, conversations in French and
English across every channel, a live inbox, macros, agents, SLA policies) for ``deskterm demo``,
``deskterm seed`` and the benchmarks.
"""

from __future__ import annotations

from deskterm.backend.demo.generate import DemoSummary, demo_shape, generate_demo

__all__ = ["DemoSummary", "demo_shape", "generate_demo"]
