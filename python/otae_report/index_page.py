"""index.html of a report: every figure (PNG shown, PDF linked) with its caption and every table,
section by section. Self-contained: inline style, relative links, no external asset."""
import html
import os

STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 1px solid #999; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
figure { display: inline-block; vertical-align: top; margin: 0.8em 1em 0.8em 0; max-width: 100%; }
figure img { max-width: 100%; max-height: 640px; border: 1px solid #eee; }
figcaption { font-size: 0.9em; max-width: 760px; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.55em; text-align: right; }
th { background: #f3f3f3; }
.note { background: #fff6e0; border-left: 4px solid #e0a000; padding: 0.4em 0.8em; }
"""


def figure_entries(section):
    """A section's figures as (PNG file name, caption); a plain string entry has no caption."""
    entries = []
    for figure in section.get("figures", []):
        if isinstance(figure, str):
            entries.append((figure, ""))
        else:
            entries.append((figure["file"], figure.get("caption", "")))
    return entries


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape("" if value is None else str(value))


def _table(table):
    lines = ["<table>", f"<caption>{html.escape(table.get('caption', ''))}</caption>",
             "<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in table["header"]) + "</tr>"]
    lines += ["<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in table["rows"]]
    return "\n".join(lines + ["</table>"])


def _figure(out_dir, png, caption):
    pdf = os.path.splitext(png)[0] + ".pdf"
    link = f' (<a href="{html.escape(pdf)}">PDF</a>)' if os.path.isfile(os.path.join(out_dir, pdf)) else ""
    return (f'<figure><a href="{html.escape(png)}"><img src="{html.escape(png)}" alt="{html.escape(png)}"></a>'
            f"<figcaption>{html.escape(caption)}{link}</figcaption></figure>")


def write_index(out_dir, title, sections, notes=()):
    """Writes out_dir/index.html (atomically) and returns its path.

    sections: [{"title", "text", "figures": [PNG file names in out_dir, or {"file", "caption"}],
    "tables": [{"caption", "header", "rows"}]}]; notes: lines shown highlighted under the title.
    Raises FileNotFoundError naming a figure that is not in out_dir.
    """
    body = [f"<h1>{html.escape(title)}</h1>"]
    body += [f'<p class="note">{html.escape(n)}</p>' for n in notes]
    body.append("<ul>" + "".join(f'<li><a href="#s{k}">{html.escape(s["title"])}</a></li>'
                                 for k, s in enumerate(sections)) + "</ul>")
    for k, section in enumerate(sections):
        body.append(f'<h2 id="s{k}">{html.escape(section["title"])}</h2>')
        if section.get("text"):
            body.append(f"<p>{html.escape(section['text'])}</p>")
        for png, caption in figure_entries(section):
            if not os.path.isfile(os.path.join(out_dir, png)):
                raise FileNotFoundError(f"{os.path.join(out_dir, png)}: the figure of section "
                                        f"{section['title']!r} is missing")
            body.append(_figure(out_dir, png, caption))
        body += [_table(t) for t in section.get("tables", [])]
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
    path = os.path.join(out_dir, "index.html")
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(temporary, path)
    return path
