"""The Textual application: who is working, on which store, with which settings, and the
safety nets that keep it running (worker failures, quitting with unsaved drafts)."""

from __future__ import annotations

import gc
import logging
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import Worker, WorkerFailed, WorkerState

from deskterm import keymap
from deskterm.app import changes
from deskterm.app.collector import IdleCollector
from deskterm.app.palette import DeskCommands
from deskterm.backend.db import StoreError
from deskterm.backend.reasons import reasons_from
from deskterm.backend.store import Store, system_clock
from deskterm.config import Settings, is_lead
from deskterm.domain.macros import load_liquid
from deskterm.domain.models import Agent, Group, Macro
from deskterm.domain.suggest import MacroSuggester
from deskterm.domain.zones import local_timezone
from deskterm.patches import barrier, rendering
from deskterm.screens.help import HelpScreen
from deskterm.screens.modal import DeskModal
from deskterm.screens.workstation import WorkstationScreen
from deskterm.themes import load_themes

if TYPE_CHECKING:
    from deskterm.app.live_demo import LiveDemoRunner
    from deskterm.app.sync_runner import SyncRunner
    from deskterm.backend.commerce.base import CommerceProvider
    from deskterm.backend.lesson import Progress

log = logging.getLogger(__name__)

#: Quitting again within this many seconds leaves without the drafts the store refused.
QUIT_AGAIN_SECONDS = 5.0


#: The default of :attr:`DeskApp.live_update_seconds`.
LIVE_UPDATE_SECONDS = 1.5


class DeskApp(App[None]):
    """deskterm's workstation."""

    CSS_PATH = "deskterm.tcss"
    TITLE = "deskterm"
    COMMANDS = App.COMMANDS | {DeskCommands}
    BINDINGS = keymap.bindings("app")

    def __init__(
        self,
        store: Store,
        settings: Settings,
        agent: Agent,
        *,
        demo: bool = False,
        clock: Callable[[], datetime] = system_clock,
        sync_runner: SyncRunner | None = None,
        live_update_seconds: float = LIVE_UPDATE_SECONDS,
        lesson: Progress | None = None,
        live_demo: LiveDemoRunner | None = None,
    ) -> None:
        rendering.apply()
        barrier.install()
        super().__init__()
        self.barrier = barrier.Barrier(self.notify, on_damage=store.mark_damaged)
        self.sync_runner = sync_runner
        self.store = store
        self.settings = settings
        self.agent = agent
        self.demo = demo
        #: The guided lesson being played (``deskterm demo --learn``), or None.
        self.lesson = lesson
        #: Customers writing into the demo as it runs (``deskterm demo --live``), or None.
        self.live_demo = live_demo
        #: The store held no conversation when the app was made (set by ``create_app``).
        self.first_run = False
        self.clock = clock
        #: How often the workstation looks for changes in the store (other processes, the
        #: sync, snoozes coming due): a cheap read of SQLite's data version.
        self.live_update_seconds = live_update_seconds
        self.tz = local_timezone(settings.timezone)
        #: The shop's time zone: every time a customer reads (a slot in a macro or in an
        #: order action's sentence) and the shop's opening hours are on its clock.
        self.shop_tz = ZoneInfo(settings.shop_timezone)
        self.agents: list[Agent] = store.agents()
        self.groups: list[Group] = store.groups()
        self.saved_views: list[tuple[int, str, str]] = store.saved_views()
        self.tags: list[tuple[str, int]] = []
        self.macros: list[Macro] = []
        self.suggester: MacroSuggester | None = None
        self._reasons: tuple[MacroSuggester, Callable[[str], str | None]] | None = None
        self.keymap_overrides = keymap.check_keymap(settings.keymap)
        self._names = {a.id: a.name for a in self.agents}
        self.collector: IdleCollector | None = None
        self._through_panes: weakref.WeakSet[events.Key] = weakref.WeakSet()
        self._quit_unsaved_at: float | None = None

    def on_mount(self) -> None:
        themes = load_themes()
        for theme in themes:
            self.register_theme(theme)
        names = {t.name for t in themes} | set(self.available_themes)
        if self.settings.theme in names:
            self.theme = self.settings.theme
        else:
            self.theme = "deskterm-dark"
            self.notify(
                f"Unknown theme {self.settings.theme!r}; using deskterm-dark.", severity="warning"
            )
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        self.push_screen(WorkstationScreen())
        # After the first frame: building the suggester is the heaviest thing at start-up.
        self.call_after_refresh(self._load_in_background)

    def _load_in_background(self) -> None:
        if not gc.isenabled():  # the command line paused the collector for start-up
            gc.freeze()
            gc.enable()
            # And full collections wait for a pause in the agent's typing from now on.
            self.collector = IdleCollector()
            self.collector.start()
            self.set_interval(0.25, self.collector.tick)
        self.run_worker(self._load_tags, thread=True, group="tags", exit_on_error=False)
        self.run_worker(
            self._load_macros_and_suggester, thread=True, group="macros", exit_on_error=False
        )
        self.run_worker(self._check_store, thread=True, group="store-check", exit_on_error=False)
        if self.sync_runner is not None:
            self.sync_runner.start(self)
        if self.live_demo is not None:
            self.live_demo.start(self)

    def _check_store(self) -> None:
        """Look for damage in the store (a large one is checked here only, after start)."""
        damaged = self.store.read_only_reason if self.store.checked else self.store.check()
        if damaged:
            self.call_from_thread(
                self.notify, damaged, title="Store damaged", severity="error", timeout=60
            )

    def reload_macros(self) -> None:
        """Re-read the library and the suggester (after a remote's macros were imported)."""
        self.run_worker(
            self._load_macros_and_suggester, thread=True, group="macros", exit_on_error=False
        )

    def _load_tags(self) -> None:
        self.tags = self.store.tag_counts()

    def remember_tag(self, tag: str, conversations: int) -> None:
        """A tag given in this session: offered by the tag picker from now on."""
        counts = dict(self.tags)
        counts[tag] = counts.get(tag, 0) + conversations
        self.tags = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def load_macros(self) -> None:
        """Re-read the macro library (from a worker thread)."""
        self.macros = self.store.macros(self.agent.id)

    def _load_macros_and_suggester(self) -> None:
        self.load_macros()
        suggester = MacroSuggester(
            # Every language's body: a French message must find the macro's French wording.
            macros=[
                (m.id, m.title, "\n".join([m.body, *m.variants.values()])) for m in self.macros
            ],
        )
        for n, (macro_id, text) in enumerate(self.store.macro_examples(), 1):
            suggester.add_example(macro_id, text)
            if n % 200 == 0:
                # Hand the interpreter to the event loop now and then: a second of pure
                # Python here would otherwise make every key wait for its turn.
                time.sleep(0)
        self.suggester = suggester
        self.call_from_thread(self._suggester_ready)
        load_liquid()  # so that the first macro the agent picks renders at once

    def approval_provider(self) -> CommerceProvider:
        """Where a gesture a lead approved goes: the same shop, without the agents' limits."""
        from deskterm.backend.commerce.jobs import make_provider

        return make_provider(self.settings.commerce, self.store, tz=self.tz, limits=None)

    @property
    def is_lead(self) -> bool:
        """Whether the agent working here is one of the settings' leads."""
        return is_lead(self.settings, self.agent.id, self.agent.email)

    def routing_reason(self, text: str) -> str | None:
        """The reason tag the suggester is confident about (None until it is built)."""
        suggester = self.suggester
        if suggester is None:
            return None
        if self._reasons is None or self._reasons[0] is not suggester:
            self._reasons = (suggester, reasons_from(suggester, self.macros))
        return self._reasons[1](text)

    def _suggester_ready(self) -> None:
        """The conversation opened before the suggester was built gets its suggestions now."""
        screen = self.screen
        if isinstance(screen, WorkstationScreen) and screen.bundle is not None:
            screen.suggest_for(screen.bundle)

    # -- helpers for screens -----------------------------------------------------------

    def agent_name(self, agent_id: int | None) -> str:
        if agent_id is None:
            return "nobody"
        if agent_id == self.agent.id:
            return "you"
        return self._names.get(agent_id, f"agent {agent_id}")

    def set_agents(self, agents: list[Agent]) -> None:
        """The agents known to the store changed (a remote's sync brought new ones)."""
        self.agents = agents
        self._names = {a.id: a.name for a in agents}

    def reload_saved_views(self) -> None:
        self.saved_views = self.store.saved_views()

    def outbox_for(self, kind: str, **payload: Any) -> dict[str, Any] | None:
        """The outbox entry that pushes an action to a remote helpdesk (None when local)."""
        if self.sync_runner is None:
            return None
        return {"kind": kind, "payload": payload}

    def apply_change(
        self,
        conversation_id: int,
        kind: str,
        value: Any,
        *,
        undo_group: str | None,
        seen: dict[str, Any] | None = None,
    ) -> None:
        """Apply one triage change to one conversation (called from store workers).

        ``seen``: what the agent saw of the field it changes; the store refuses the change
        with ChangedMeanwhile when another agent changed that field since.
        """
        changes.apply_change(
            self.store,
            conversation_id,
            kind,
            value,
            agent_id=self.agent.id,
            undo_group=undo_group,
            seen=seen,
            outbox=self.outbox_for(kind),
        )

    def cycle_theme(self) -> None:
        names = sorted(t.name for t in load_themes())
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]
        self.notify(f"Theme: {self.theme}")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's palette commands, less the two deskterm lists itself ("Keys" is the ?
        screen, "Quit" the q key): each appears once."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Quit"):
                yield command

    def action_toggle_live_demo(self) -> None:
        """Pause the live demo's customers, or let them write again."""
        live = self.live_demo
        if live is None:
            self.notify("No live demo here: `deskterm demo --live` starts one.")
            return
        paused = live.toggle()
        live.show(self)
        self.notify("Live demo paused: no customer writes." if paused else "Live demo resumed.")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap_overrides))

    # -- safety nets -------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for worker failures: a notification, never a crash or a silent loss."""
        worker = event.worker
        if event.state is WorkerState.ERROR and isinstance(worker.error, Exception):
            self._contain(worker.error, f"worker {worker.name!r} (group {worker.group})")

    def _handle_exception(self, error: Exception) -> None:
        # Textual's (8.2.8) private hook for any exception nothing caught (a timer, a
        # callback, a widget that failed to mount), which always ends the app. The barrier
        # decides instead (see deskterm.patches.barrier); tests/app/test_barrier.py checks the hook.
        if isinstance(error, WorkerFailed):
            return  # a worker left with exit_on_error=True: on_worker_state_changed has it
        self._contain(error, "a timer or callback")

    def _contain(self, error: Exception, where: str) -> None:
        if self.barrier.contain(error, where):
            return
        if not barrier.is_fatal(error):  # a screen or widget that could not be built
            try:
                self._save_before_exit()
            except Exception:
                log.exception("saving the draft before stopping failed")
        super()._handle_exception(error)

    async def action_quit(self) -> None:
        try:
            self._save_before_exit()
        except (StoreError, sqlite3.Error) as exc:
            # The drafts are still in memory: leaving now would lose them, unless the agent
            # says so by quitting again.
            now = time.monotonic()
            if self._quit_unsaved_at is None or now - self._quit_unsaved_at > QUIT_AGAIN_SECONDS:
                self._quit_unsaved_at = now
                log.warning("not saved at quit", exc_info=exc)
                self.notify(
                    f"Not saved ({barrier.summary(exc)}): quit again to leave without it.",
                    title="Drafts",
                    severity="warning",
                    timeout=QUIT_AGAIN_SECONDS,
                )
                return
            log.error("quit without saving: %s", barrier.summary(exc))
        if self.sync_runner is not None:
            if self.sync_runner.hold_quit(self):
                return
            self.sync_runner.shutdown()
        self.exit()

    def key_through_panes(self, event: events.Key) -> None:
        """The workstation saw ``event`` go by (see :meth:`on_key`)."""
        self._through_panes.add(event)

    def on_key(self, event: events.Key) -> None:
        # A key that went through the workstation's panes and finds a picker on top when it
        # comes up to the app was typed in the same burst as the key that opened it (`g` `e`,
        # `z` `3`, `m` and a filter, typed while the app was busy): handed to the panes
        # before the picker opened, it belongs to the picker. Without this, `e` was lost
        # and the next key typed was taken for the view's letter.
        picker = self.screen
        if event in self._through_panes and isinstance(picker, DeskModal) and not picker.leaving:
            event.stop()
            event.prevent_default()
            # Once the picker has mounted (and focused its box), in the order typed.
            picker.call_later(self.post_message, events.Key(event.key, event.character))

    async def on_event(self, event: events.Event) -> None:
        if self.collector is not None and isinstance(event, events.InputEvent):
            self.collector.input_seen()
        await super().on_event(event)

    def on_unmount(self) -> None:
        if self.collector is not None:
            self.collector.stop()
        if self.live_demo is not None:
            self.live_demo.shutdown()
        if self.sync_runner is not None:
            self.sync_runner.shutdown()

    def _save_before_exit(self) -> None:
        from deskterm.screens.problems import ProblemsScreen

        for screen in self.screen_stack:
            if isinstance(screen, ProblemsScreen):
                screen.commit_held_now()  # fix notices waiting out their undo delay
            if isinstance(screen, WorkstationScreen):
                screen.commit_held_now()
                composer = screen.composer
                if composer.conversation_id is not None:
                    screen.unsaved.offer(composer.conversation_id, composer.text, composer.note)
                _, error = screen.unsaved.save(self.store, self.agent.id)
                if error is not None:
                    raise error
                self.store.clear_presence(self.agent.id)
