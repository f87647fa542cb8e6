"""The import architecture: dependencies between tracker's packages run one way.

import-linter contracts, checked against the import graph grimp builds from
the source (imports inside functions included):

* no import cycles between tracker's packages and top-level modules;
* the foundations (scope, regions, units, auth) use no feature beyond its models;
* warnings (flags, the sweep) sits above elections (the calendar): nothing
  of elections imports warnings, its models included; an election change
  reaches warnings through ``tracker/elections/signals.py``;
* api, dashboard and digests sit on top: no feature imports them;
* no feature imports another feature's routes.

A package's ``models`` module, and the ``tracker.models`` index of them, is
the data layer: relationships need models to reach each other, so imports
of models may run any way, and all but the elections/warnings contract
leave them out. A broken contract fails with its name and the import chains
that break it. The last tests run the same checker on a small package made
on the spot, one wrong import at a time, to show that it finds them.
"""
import copy
import uuid

import grimp
import pytest
from importlinter.application import output
from importlinter.configuration import configure
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.protected import ProtectedContract

# import-linter's settings (graph builder, timer), which its contracts read.
configure()

FOUNDATIONS = ("scope", "regions", "units", "auth")
TOP = ("api", "dashboard", "digests")
# Neither feature nor foundation: the scheduler's job runner sits below the
# features, the demo seeder above them all.
RUNNER, SEEDER = "jobs", "demo"
CONTRACT_TYPES = {
    "acyclic_siblings": AcyclicSiblingsContract,
    "forbidden": ForbiddenContract,
    "protected": ProtectedContract,
}


def packages(graph, root):
    """The subpackages of ``root`` (those with modules of their own)."""
    return sorted(name.rpartition(".")[2] for name in graph.find_children(root) if graph.find_children(name))


def contracts(graph, root):
    """{key: [import-linter contract options]} for the package ``root``."""
    data_layer = [f"{root}.** -> {root}.models", f"{root}.** -> {root}.*.models"]
    features = [name for name in packages(graph, root) if name not in FOUNDATIONS + TOP + (RUNNER, SEEDER)]

    def modules(names):
        return [f"{root}.{name}" for name in names]

    common = {"unmatched_ignore_imports_alerting": "none"}
    return {
        "cycles": [{
            "name": f"no import cycles between the packages of {root} (models aside)",
            "type": "acyclic_siblings", "ancestors": [root], "depth": 0, "ignore_imports": data_layer, **common,
        }],
        "foundations": [{
            "name": "scope, regions, units and auth use no feature beyond its models",
            "type": "forbidden", "source_modules": modules(FOUNDATIONS),
            "forbidden_modules": modules([n for n in packages(graph, root) if n not in FOUNDATIONS + (RUNNER,)]),
            "ignore_imports": data_layer, **common,
        }],
        # Direct imports: elections reaching warnings through other code is
        # a cycle (warnings builds on elections), which "cycles" reports.
        "elections_below_warnings": [{
            "name": "warnings sits above elections: elections imports nothing of warnings, not even its models",
            "type": "forbidden", "source_modules": modules(["elections"]), "forbidden_modules": modules(["warnings"]),
            "allow_indirect_imports": "true",
        }],
        "top": [{
            "name": "api, dashboard and digests sit on top: no feature imports them",
            "type": "forbidden", "source_modules": modules(FOUNDATIONS + tuple(features)),
            "forbidden_modules": modules(TOP), "ignore_imports": data_layer, **common,
        }],
        "routes": [
            {"name": f"only {name} imports {name}.routes", "type": "protected",
             "protected_modules": [f"{root}.{name}.routes"], "allowed_importers": [f"{root}.{name}"]}
            for name in packages(graph, root) if f"{root}.{name}.routes" in graph.modules
        ],
    }


def _owner(module, root):
    """The package (or top-level module) of ``root`` that ``module`` belongs to."""
    return ".".join(module.split(".")[:root.count(".") + 2])


def _cycle_chains(graph, root, check):
    """Each import the cycle check would remove, and an import for each step of the way back.

    The way back is found between whole packages (each one squashed to a
    node), as the cycle check sees them; each step is shown by one import.
    """
    squashed = copy.deepcopy(graph)
    for name in packages(graph, root):
        squashed.squash_module(f"{root}.{name}")
    lines = []
    for breakers in check.metadata["cycle_breakers_by_package"].values():
        for importer, imported in sorted(breakers):
            back = squashed.find_shortest_chain(
                importer=_owner(imported, root), imported=_owner(importer, root),
            ) or ()
            lines.append(f"  {importer} -> {imported}, and back:")
            for step in zip(back, back[1:]):
                example = min(graph.find_shortest_chains(importer=step[0], imported=step[1], as_packages=True))
                lines.append(f"      {' -> '.join(example)}")
    return "\n".join(lines)


def broken(graph, root, key):
    """The messages of the broken contracts among ``contracts(...)[key]`` (empty when all are kept)."""
    messages = []
    for options in contracts(graph, root)[key]:
        contract = CONTRACT_TYPES[options["type"]](
            name=options["name"], session_options={"root_packages": [root]},
            contract_options={k: v for k, v in options.items() if k not in ("name", "type")},
        )
        working = copy.deepcopy(graph)  # the check removes the ignored imports from it
        check = contract.check(working, verbose=False)
        if check.kept:
            continue
        with output.console.capture() as captured:
            contract.render_broken_contract(check)
        text = captured.get().strip()
        if options["type"] == "acyclic_siblings":
            text += "\n" + _cycle_chains(working, root, check)
        messages.append(f"BROKEN CONTRACT: {options['name']}\n{text}")
    return messages


@pytest.fixture(scope="module")
def tracker_graph():
    return grimp.build_graph("tracker", cache_dir=None)


def assert_kept(graph, key):
    problems = broken(graph, "tracker", key)
    assert not problems, "\n\n".join(problems)


def test_no_import_cycles_between_tracker_packages(tracker_graph):
    assert_kept(tracker_graph, "cycles")


def test_foundations_use_no_feature_beyond_its_models(tracker_graph):
    assert_kept(tracker_graph, "foundations")


def test_elections_imports_nothing_of_warnings(tracker_graph):
    assert_kept(tracker_graph, "elections_below_warnings")


def test_no_feature_imports_api_dashboard_or_digests(tracker_graph):
    assert_kept(tracker_graph, "top")


def test_no_feature_imports_another_features_routes(tracker_graph):
    assert_kept(tracker_graph, "routes")


# --- the checker can fail ---------------------------------------------------------

# A package laid out like tracker, with imports that keep every contract:
# features build on foundations, warnings on elections, dashboard and digests
# on warnings, and models reach each other both ways.
FAKE_MODULES = {
    "scope": "import {root}.tickets.models\n",
    "extensions": "",
    "models": "import {root}.tickets.models\nimport {root}.warnings.models\n",
    "regions/models": "",
    "regions/services": "import {root}.regions.models\n",
    "units/models": "import {root}.regions.models\n",
    "auth/models": "import {root}.units.models\n",
    "auth/services": "import {root}.auth.models\n",
    "auth/routes": "import {root}.auth.services\n",
    "jobs/runner": "import {root}.models\n",
    "tickets/models": "import {root}.visits.models\n",
    "tickets/services": "import {root}.scope\nimport {root}.warnings.models\n",
    "tickets/routes": "import {root}.tickets.services\n",
    "visits/models": "import {root}.tickets.models\n",
    "visits/services": "import {root}.tickets.services\n",
    "visits/routes": "import {root}.visits.services\n",
    "elections/models": "import {root}.regions.models\n",
    "elections/services": "import {root}.scope\nimport {root}.elections.models\nimport {root}.jobs.runner\n",
    "elections/routes": "import {root}.elections.services\n",
    "warnings/models": "import {root}.tickets.models\nimport {root}.elections.models\n",
    "warnings/services": "import {root}.elections.services\nimport {root}.tickets.services\n",
    "warnings/routes": "import {root}.warnings.services\n",
    "dashboard/services": "import {root}.warnings.services\n",
    "dashboard/routes": "import {root}.dashboard.services\n",
    "digests/models": "import {root}.auth.models\n",
    "digests/services": "import {root}.warnings.services\nimport {root}.digests.models\n",
    "api/tickets": "import {root}.tickets.services\nimport {root}.warnings.services\n",
    "demo/seed": "import {root}.warnings.services\nimport {root}.visits.services\n",
}


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """Function: write the fake package (plus ``extra`` imports per module) and return its graph."""
    root = f"archfake_{uuid.uuid4().hex[:8]}"
    monkeypatch.syspath_prepend(str(tmp_path))

    def build(extra=None):
        extra = extra or {}
        for path, source in FAKE_MODULES.items():
            parent = tmp_path / root
            for part in path.split("/")[:-1]:
                parent = parent / part
            parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / root / "__init__.py").touch()
            (parent / "__init__.py").touch()
            text = source + extra.get(path, "")
            (parent / f"{path.split('/')[-1]}.py").write_text(text.format(root=root), encoding="utf-8")
        return root, grimp.build_graph(root, cache_dir=None)

    return build


def test_the_checker_passes_a_package_that_keeps_the_contracts(fake_package):
    root, graph = fake_package()
    assert {key: broken(graph, root, key) for key in contracts(graph, root)} == {
        key: [] for key in contracts(graph, root)
    }


@pytest.mark.parametrize("module, added, expected, chain", [
    # A top-level import, and one inside a function: both are dependencies.
    ("elections/services", "import {root}.warnings.services\n", {"elections_below_warnings", "cycles"},
     "{root}.elections.services -> {root}.warnings.services"),
    ("elections/services", "def later():\n    from {root}.warnings import services\n",
     {"elections_below_warnings", "cycles"}, "{root}.elections.services -> {root}.warnings.services"),
    # Even warnings' models are off limits to elections; another feature's models are not.
    ("elections/services", "import {root}.warnings.models\n", {"elections_below_warnings"},
     "{root}.elections.services -> {root}.warnings.models"),
    ("auth/services", "import {root}.visits.models\n", set(), None),
    ("scope", "import {root}.tickets.services\n", {"foundations", "cycles"},
     "{root}.scope -> {root}.tickets.services"),
    ("tickets/services", "import {root}.dashboard.services\n", {"top", "cycles"},
     "{root}.tickets.services -> {root}.dashboard.services"),
    ("visits/routes", "import {root}.tickets.routes\n", {"routes"}, "{root}.visits.routes -> {root}.tickets.routes"),
    ("tickets/services", "import {root}.visits.services\n", {"cycles"},
     "{root}.tickets.services -> {root}.visits.services"),
])
def test_the_checker_names_the_broken_contract_and_the_import(fake_package, module, added, expected, chain):
    root, graph = fake_package({module: added})
    found = {key: broken(graph, root, key) for key in contracts(graph, root)}
    assert {key for key, messages in found.items() if messages} == expected
    for key in expected:
        message = "\n".join(found[key])
        assert message.startswith("BROKEN CONTRACT: ")
        assert chain.format(root=root) in message, message
