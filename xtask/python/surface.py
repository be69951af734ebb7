"""Lists the public surface of a Python package: `cargo xtask surface` holds it against a
crate's `surface.toml`.

Usage: python surface.py MODULE [MODULE...]

Prints one JSON object: {"symbols": [{"name", "kind", "signature"}...]}. A symbol is a
class (with its constructor's parameters), a public function, a method or property defined in
a class's own body (public names and the dunders a user can reach: `__iter__`, `__len__`, ...),
an exception class, or a module's own data (a name its top level assigns: constants, and
variables such as kloudless's `configuration`). Only what the listed modules
define is listed: names they import from elsewhere (`requests`, the standard library) are not
theirs. Runs on Python 2.7 (orange-cloud's original) and Python 3.
"""
import importlib
import inspect
import json
import sys

# Dunders every class has or that only plumb Python's object model: not a user's call.
PLUMBING = set("""
__init__ __new__ __module__ __dict__ __weakref__ __doc__ __slots__ __qualname__
__annotations__ __firstlineno__ __static_attributes__ __abstractmethods__ __init_subclass__
__subclasshook__ __class_getitem__ __orig_bases__ __parameters__ __metaclass__
""".split())


def param_text(p):
    """A parameter as a caller writes it: name and default, without annotations."""
    prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
    if p.default is not p.empty:
        return "%s%s=%r" % (prefix, p.name, p.default)
    return prefix + p.name


def signature(obj, skip_self):
    try:
        if hasattr(inspect, "signature"):
            sig = inspect.signature(obj)
            params = list(sig.parameters.values())
            if skip_self and params and params[0].name in ("self", "cls"):
                params = params[1:]
            return "(" + ", ".join(param_text(p) for p in params) + ")"
        spec = inspect.getargspec(obj)  # Python 2.7
        args = list(spec.args)
        defaults = list(spec.defaults or [])
        out = []
        first_default = len(args) - len(defaults)
        for i, a in enumerate(args):
            if i >= first_default:
                out.append("%s=%r" % (a, defaults[i - first_default]))
            else:
                out.append(a)
        if skip_self and args and args[0] in ("self", "cls"):
            out = out[1:]
        if spec.varargs:
            out.append("*" + spec.varargs)
        if spec.keywords:
            out.append("**" + spec.keywords)
        return "(" + ", ".join(out) + ")"
    except (TypeError, ValueError):
        return "(...)"


def class_init(cls):
    init = cls.__dict__.get("__init__")
    if init is None:
        for base in cls.__mro__[1:]:
            if base is object:
                break
            init = base.__dict__.get("__init__")
            if init is not None:
                break
    if init is None or not (inspect.isfunction(init) or inspect.ismethod(init)):
        return "()"
    return signature(init, True)


def is_exception(cls):
    try:
        return issubclass(cls, BaseException)
    except TypeError:
        return False


def members_of_class(qual, cls, out):
    for name in sorted(cls.__dict__):
        if name in PLUMBING:
            continue
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            continue
        raw = cls.__dict__[name]
        full = qual + "." + name
        if isinstance(raw, property):
            out.append({"name": full, "kind": "property", "signature": ""})
        elif isinstance(raw, (staticmethod, classmethod)):
            out.append({"name": full, "kind": "method", "signature": signature(raw.__get__(None, cls), False)})
        elif inspect.isfunction(raw):
            out.append({"name": full, "kind": "method", "signature": signature(raw, True)})
        elif inspect.isclass(raw):
            # A nested class of the same module (acd's `RequestError.CODE`): its own symbols.
            if getattr(raw, "__module__", None) == cls.__module__:
                kind = "exception" if is_exception(raw) else "class"
                out.append({"name": full, "kind": kind, "signature": class_init(raw)})
                members_of_class(full, raw, out)
        elif name.isupper() or (name[:1].isupper() and "_" in name and name.upper() == name):
            out.append({"name": full, "kind": "constant", "signature": ""})
        elif not name.startswith("__") and not callable(raw):
            out.append({"name": full, "kind": "attribute", "signature": ""})


def ast_args(fn):
    a = fn.args
    names = [x.arg if hasattr(x, "arg") else x.id for x in a.args]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
        first_default = len(a.args) - 1 - len(a.defaults)
    else:
        first_default = len(a.args) - len(a.defaults)
    out = [n + ("=..." if i >= first_default else "") for i, n in enumerate(names)]
    if a.vararg:
        out.append("*" + getattr(a.vararg, "arg", a.vararg))
    if a.kwarg:
        out.append("**" + getattr(a.kwarg, "arg", a.kwarg))
    return "(" + ", ".join(out) + ")"


def from_source(modname, out):
    """A module that cannot be imported here (smartfile.sync needs the librsync C library):
    its symbols read from its source instead."""
    import ast
    import pkgutil

    path = pkgutil.get_loader(modname).get_filename()
    tree = ast.parse(open(path).read())

    def walk(prefix, body, in_class):
        for node in body:
            if isinstance(node, ast.ClassDef):
                qual = prefix + "." + node.name
                if node.name.startswith("_"):
                    continue
                init = [n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
                out.append({"name": qual, "kind": "class", "signature": ast_args(init[0]) if init else "()"})
                walk(qual, node.body, True)
            elif isinstance(node, ast.FunctionDef):
                name = node.name
                if name in PLUMBING or (name.startswith("_") and not name.endswith("__")):
                    continue
                out.append({"name": prefix + "." + name, "kind": "method" if in_class else "function",
                            "signature": ast_args(node)})
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name) and t.id.isupper():
                        out.append({"name": prefix + "." + t.id, "kind": "constant", "signature": ""})

    walk(modname, tree.body, False)


def top_level_assigned(modname):
    import ast
    import pkgutil

    loader = pkgutil.get_loader(modname)
    path = loader.get_filename()
    if not path.endswith(".py"):
        return set()
    names = set()
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    names.add(t.id)
    return names


def main(modules):
    out = []
    for modname in modules:
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            from_source(modname, out)
            continue
        # A module's own data is what its top level assigns (`from .common import *` copies
        # names in without assigning them).
        assigned = top_level_assigned(modname)
        for name in sorted(vars(mod)):
            if name.startswith("_"):
                continue
            obj = getattr(mod, name)
            qual = modname + "." + name
            if inspect.isclass(obj):
                if getattr(obj, "__module__", None) != modname:
                    continue
                kind = "exception" if is_exception(obj) else "class"
                out.append({"name": qual, "kind": kind, "signature": class_init(obj)})
                members_of_class(qual, obj, out)
            elif inspect.isfunction(obj):
                if getattr(obj, "__module__", None) != modname:
                    continue
                out.append({"name": qual, "kind": "function", "signature": signature(obj, False)})
            elif name in assigned and not inspect.ismodule(obj) and not callable(obj):
                kind = "constant" if name.isupper() else "variable"
                out.append({"name": qual, "kind": kind, "signature": ""})
    sys.stdout.write(json.dumps({"symbols": out}, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
