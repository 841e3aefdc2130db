"""What the learner's file does, read with `ast` (never by searching its text for a word).

Hints and the checker's static rules follow these facts: a fixture's scope, what it calls,
whether a test sleeps, what each test calls. An import is not a use: only calls count.
"""

import ast
from dataclasses import dataclass, field

SLEEPS = {"sleep"}  # time.sleep, asyncio.sleep, from time import sleep


@dataclass(frozen=True)
class Function:
    """One fixture or test: its name, its scope if a fixture, what it calls and whether it yields."""

    name: str
    scope: str | None  # "function", "module", "session"...; None for a plain function
    calls: frozenset[str]
    yields: bool
    raises_checked: bool  # uses `with pytest.raises(...)`


@dataclass(frozen=True)
class FileFacts:
    """The learner's file, as far as the hints and the rules need it."""

    functions: dict[str, Function] = field(default_factory=dict)
    sleeps: tuple[int, ...] = ()  # line numbers of calls to sleep
    syntax_error: str = ""

    @property
    def tests(self) -> list[Function]:
        """The test functions, in file order."""
        return [function for name, function in self.functions.items() if name.startswith("test")]

    def fixture(self, name: str) -> Function | None:
        """The fixture called `name`, if the file defines one."""
        function = self.functions.get(name)
        return function if function is not None and function.scope is not None else None

    def any_test_calls(self, *names: str) -> bool:
        """True when some test calls one of `names` (a function or a method of that name)."""
        return any(function.calls & set(names) for function in self.tests)

    def calls(self, *names: str) -> bool:
        """True when any function of the file calls one of `names`."""
        return any(function.calls & set(names) for function in self.functions.values())


def _called_name(node: ast.Call) -> str:
    target = node.func
    return target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""


def _fixture_scope(function: ast.FunctionDef) -> str | None:
    """The scope of a @pytest.fixture (default "function"), or None if it is not a fixture."""
    for decorator in function.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        named = call.func if call else decorator
        name = named.attr if isinstance(named, ast.Attribute) else getattr(named, "id", "")
        if name != "fixture":
            continue
        for keyword in call.keywords if call else []:
            if keyword.arg == "scope" and isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
        return "function"
    return None


def _function(node: ast.FunctionDef) -> Function:
    inside = list(ast.walk(node))
    calls = frozenset(_called_name(child) for child in inside if isinstance(child, ast.Call)) - {""}
    yields = any(isinstance(child, (ast.Yield, ast.YieldFrom)) for child in inside)
    raises = any(isinstance(child, ast.With) and any(isinstance(item.context_expr, ast.Call)
                                                     and _called_name(item.context_expr) == "raises"
                                                     for item in child.items) for child in inside)
    return Function(node.name, _fixture_scope(node), calls, yields, raises)


def read_facts(source: str) -> FileFacts:
    """The facts of a Python file's source; a file that does not parse says where."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return FileFacts(syntax_error=f"line {error.lineno}: {error.msg}")
    functions = {node.name: _function(node) for node in tree.body if isinstance(node, ast.FunctionDef)}
    sleeps = tuple(sorted(node.lineno for node in ast.walk(tree)
                          if isinstance(node, ast.Call) and _called_name(node) in SLEEPS))
    return FileFacts(functions, sleeps)
