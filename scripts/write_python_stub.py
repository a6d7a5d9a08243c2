#!/usr/bin/python3
"""Writes python/otae.pyi, the type stub of the C++ module `otae`, and docs/python.md, its
reference page, from the signatures and docstrings pybind11 gives the built module, so that
editors complete otae.emd(…) and the page lists every function with its units. Run after
changing the bindings:  PYTHONPATH=build/python scripts/write_python_stub.py
tests/python/test_python_package.py fails while either differs from what this writes."""
import inspect
import os
import re

TYPES = [(r"\bhandle\b", "ArrayLike"), (r"\bobject\b", "Any"), (r"\bList\[", "list["), (r"\bTuple\[", "tuple["), (r"-> dict\b", "-> dict[str, Any]"),
         (r"\bnumpy\.ndarray\b", "NDArray[Any]")]
HEADER = '''"""Type stub of otae's C++ module (written by scripts/write_python_stub.py; do not edit)."""
from typing import Any, Optional

from numpy.typing import ArrayLike, NDArray

'''


def typed(signature):
    for pattern, replacement in TYPES:
        signature = re.sub(pattern, replacement, signature)
    return re.sub(r"self: otae\.\w+", "self", signature)


def docstring(doc, indent):
    text = doc.strip().replace('"""', "'''")
    pad = " " * indent
    if "\n" not in text:
        return f'{pad}"""{text}"""'
    return pad + '"""' + text.replace("\n", "\n" + pad).replace(pad + "\n", "\n") + '\n' + pad + '"""'


def signature_and_doc(name, function):
    """pybind11's first docstring line, typed, and the rest of the docstring."""
    first, _, rest = (function.__doc__ or "").partition("\n")
    if not first.startswith(name + "("):
        raise SystemExit(f"write_python_stub: {name} has no pybind11 signature line: {first!r}")
    return typed(first), rest


def function_stub(name, function, indent=0):
    signature, rest = signature_and_doc(name, function)
    pad = " " * indent
    body = docstring(rest, indent + 4) if rest.strip() else pad + "    ..."
    return f"{pad}def {signature}:\n{body}\n"


def class_stub(name, cls):
    lines = [f"class {name}:"]
    if cls.__doc__:
        lines.append(docstring(cls.__doc__, 4))
    for member, value in sorted(vars(cls).items()):
        if member.startswith("_") and member != "__init__":
            continue
        if isinstance(value, property):
            doc = (value.__doc__ or "").strip()
            lines.append(f"    @property\n    def {member}(self) -> Any:" + (f"\n{docstring(doc, 8)}" if doc else " ..."))
        elif callable(value):
            lines.append(function_stub(member, value, 4).rstrip("\n"))
    return "\n".join(lines) + "\n"


def stub(module):
    parts = [HEADER]

    def base_classes_first(item):  # Error before its subclasses, then by name
        name, value = item
        return (len(value.__mro__) if inspect.isclass(value) else 0, name)

    for name, value in sorted(vars(module).items(), key=base_classes_first):
        if name.startswith("_"):
            continue
        if inspect.isclass(value) and issubclass(value, Exception):
            bases = ", ".join(base.__name__ for base in value.__bases__)
            parts.append(f"class {name}({bases}): ...\n")
        elif inspect.isclass(value):
            parts.append(class_stub(name, value))
        elif callable(value):
            parts.append(function_stub(name, value))
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


PAGE_HEADER = """# The Python module `otae`

Every function and class of the C++ module, with its units, as `help(otae.…)` prints it. Install
the package as the README says (`pip install --no-build-isolation .`); arrays in and out are NumPy
(any array-like of float32 or float64 is accepted). The distance, data, metrics and model calls
release the GIL while they compute, so that Python threads run beside them. The free functions keep no
state between calls; one `VaeRun` or `OtusRun` holds one network and must not be used by two
threads at once.
(Written by scripts/write_python_stub.py from the built module; do not edit.)
"""


def _entry(title, signature, doc):
    text = inspect.cleandoc(doc or "")
    return f"### `{title}`\n\n```python\n{signature}\n```\n" + (f"\n{text}\n" if text else "")


def reference_page(module):
    parts = [PAGE_HEADER]
    for name, value in sorted(vars(module).items()):
        if name.startswith("_") or (inspect.isclass(value) and issubclass(value, Exception)):
            continue
        if inspect.isclass(value):
            parts.append(_entry(name, f"class {name}", value.__doc__))
            for member, attribute in sorted(vars(value).items()):
                if member.startswith("_") and member != "__init__":
                    continue
                if isinstance(attribute, property):
                    parts.append(_entry(f"{name}.{member}", f"{name}.{member}  # property", attribute.__doc__))
                elif callable(attribute):
                    parts.append(_entry(f"{name}.{member}", *signature_and_doc(member, attribute)))
        elif callable(value):
            parts.append(_entry(name, *signature_and_doc(name, value)))
    errors = sorted(name for name, value in vars(module).items()
                    if inspect.isclass(value) and issubclass(value, Exception))
    parts.append("### Errors\n\n" + ", ".join(f"`{e}`" for e in errors) + ": every `otae.Error` is also an `OSError` "
                 "(files), `ValueError` (arguments, configurations) or `ArithmeticError` (numerics), with the "
                 "file, dataset and row in its message.\n")
    return "\n".join(parts)


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

if __name__ == "__main__":
    import otae
    with open(os.path.join(ROOT, "python", "otae.pyi"), "w", encoding="utf-8") as f:
        f.write(stub(otae))
    with open(os.path.join(ROOT, "docs", "python.md"), "w", encoding="utf-8") as f:
        f.write(reference_page(otae))
