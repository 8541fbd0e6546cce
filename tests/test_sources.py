"""Reading input documents: lines, literal texts, Lists, and every kind of bad input."""

from __future__ import annotations

import io
import time

import pytest

from migrator.errors import InputError
from migrator.sources import load_documents, parse_documents


def test_lines_and_literal_texts():
    (doc,) = parse_documents("a: 1\nb:\n  regex: 010\n  flag: yes\n  s: 'x'\n", "f.yaml")
    assert doc.data == {"a": 1, "b": {"regex": 8, "flag": True, "s": "x"}}
    assert doc.line_of(("b", "regex")) == 3
    assert doc.line_of(("b", "missing", 0)) == 2  # nearest ancestor
    assert doc.text_of(("b", "regex")) == "010"
    assert doc.text_of(("b", "flag")) == "yes"


def test_multi_document_and_empty_documents():
    docs = parse_documents("---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n", "m.yaml")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert [d.line for d in docs] == [2, 7]


def test_kind_list_is_expanded_with_item_lines(tmp_path):
    f = tmp_path / "list.yaml"
    f.write_text("apiVersion: v1\nkind: List\nitems:\n- kind: A\n  metadata:\n    name: x\n- kind: B\n")
    docs = load_documents([str(f)])
    assert [d.kind for d in docs] == ["A", "B"]
    assert docs[0].line_of(("metadata", "name")) == 6
    assert docs[1].line == 7


def test_json_input(tmp_path):
    f = tmp_path / "x.json"
    f.write_text('{"kind": "List", "items": [{"kind": "Pod"}]}')
    assert [d.kind for d in load_documents([str(f)])] == ["Pod"]


def test_directory_is_read_recursively_and_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.yml").write_text("n: 2\n")
    (tmp_path / "a.yaml").write_text("n: 1\n")
    (tmp_path / "notes.txt").write_text("not: read\n")
    assert [d.data["n"] for d in load_documents([str(tmp_path)])] == [1, 2]


def test_stdin():
    stream = io.StringIO("kind: Secret\n")
    assert load_documents(["-"], stdin=stream)[0].file == "<stdin>"


@pytest.mark.parametrize("text,message,line", [
    ("a: [1, 2\n", "malformed YAML", 2),
    ("a: 'unterminated\n", "malformed YAML", 2),
    ("a: 1\na: 2\n", "defined twice", 2),
    ("a: &x [*x]\n", "recursive", None),
    ("key: value\n  bad indent: 1\n", "malformed YAML", 2),
])
def test_malformed_yaml_points_at_the_line(text, message, line):
    with pytest.raises(InputError) as exc:
        parse_documents(text, "bad.yaml")
    assert message in str(exc.value)
    assert exc.value.file == "bad.yaml"
    if line is not None:
        assert exc.value.line == line


def test_alias_bomb_is_refused_quickly():
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        levels.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    start = time.monotonic()
    with pytest.raises(InputError, match="alias bomb"):
        parse_documents("\n".join(levels) + "\n", "bomb.yaml")
    assert time.monotonic() - start < 5


def test_binary_and_missing_files(tmp_path):
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"\x00\x01\x02kind: x")
    with pytest.raises(InputError, match="not a text file"):
        load_documents([str(binary)])
    latin = tmp_path / "l.yaml"
    latin.write_bytes(b"a: 1\nb: \xff\xfe\n")
    with pytest.raises(InputError, match="invalid UTF-8") as exc:
        load_documents([str(latin)])
    assert exc.value.line == 2
    with pytest.raises(InputError, match="no such file"):
        load_documents([str(tmp_path / "nope.yaml")])


def test_empty_directory_is_an_error(tmp_path):
    with pytest.raises(InputError, match="holds no"):
        load_documents([str(tmp_path)])
