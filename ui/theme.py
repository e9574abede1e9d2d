"""The chat window's CSS and its one small script (hover and click on ``[n]`` highlight the source card)."""

CSS = """
.rc-question { white-space: normal; }
.rc-answer .rc-text { line-height: 1.55; }
.rc-answer .rc-understood { margin-top: .4em; font-size: .85em; font-style: italic; opacity: .8; }
.rc-answer .rc-meta { margin-top: .5em; font-size: .8em; opacity: .7; }
.rc-answer .rc-label { font-weight: 600; font-size: .85em; margin-bottom: .3em; }
.rc-refused { border-left: 4px solid #d97706; padding-left: .6em; }
.rc-refused .rc-label { color: #b45309; }
.rc-refused .rc-label::before { content: "⚠ "; }
.rc-error { border-left: 4px solid #dc2626; padding-left: .6em; }
.rc-error .rc-label { color: #dc2626; }
.rc-error .rc-label::before { content: "✖ "; }
.rc-pending .rc-text { opacity: .85; }
.rc-pending .rc-text::after { content: " ▍"; animation: rc-blink 1s steps(2) infinite; }
@keyframes rc-blink { 50% { opacity: 0; } }
a.rc-cite { text-decoration: none; font-weight: 600; font-size: .85em; padding: 0 .15em; border-radius: 4px;
            background: var(--color-accent-soft, #e0e7ff); color: var(--color-accent, #4338ca); }
a.rc-cite:hover { text-decoration: underline; }
#rc-sources { max-height: 78vh; overflow-y: auto; }
.rc-asked { font-size: .85em; opacity: .75; margin-bottom: .5em; }
.rc-card, .rc-passage { border: 1px solid var(--border-color-primary, #ddd); border-radius: 8px;
                        padding: .6em .8em; margin: 0 0 .7em 0;
                        transition: box-shadow .2s, border-color .2s; }
.rc-card header, .rc-passage header { font-weight: 600; }
.rc-n { color: var(--color-accent, #4338ca); }
.rc-docmeta { font-size: .8em; opacity: .75; margin: .2em 0 .4em 0; word-break: break-all; }
.rc-context { margin: 0; padding: 0 0 0 .7em; border-left: 3px solid var(--border-color-primary, #ccc);
              font-size: .92em; line-height: 1.5; }
mark.rc-quote { background: #fde68a; color: #111; padding: 0 .1em; border-radius: 2px; }
.rc-card.rc-hot, .rc-card.rc-picked { border-color: var(--color-accent, #4338ca);
                                       box-shadow: 0 0 0 3px var(--color-accent-soft, #c7d2fe); }
.rc-uncited, .rc-earlier { margin-top: .6em; }
.rc-uncited summary, .rc-earlier summary { cursor: pointer; font-size: .9em; opacity: .8; }
.rc-passage { font-size: .88em; opacity: .9; }
.rc-passage-text { max-height: 14em; overflow-y: auto; }
.rc-score { font-weight: 400; font-size: .8em; opacity: .6; }
.rc-none, .rc-sources-empty { opacity: .7; font-size: .92em; }
.rc-ingest ul { margin: .3em 0; }
ul.rc-failed, .rc-failed.rc-label { color: #dc2626; }
"""

# Runs once when the page loads. Event delegation, because answers and cards are re-rendered.
JS = """
() => {
  const card = (a) => {
    const id = (a.getAttribute('href') || '').replace(/^#/, '');
    return id ? document.getElementById(id) : null;
  };
  const cite = (e) => (e.target && e.target.closest) ? e.target.closest('a.rc-cite') : null;
  document.addEventListener('mouseover', (e) => {
    const a = cite(e); const c = a && card(a); if (c) c.classList.add('rc-hot');
  });
  document.addEventListener('mouseout', (e) => {
    const a = cite(e); const c = a && card(a); if (c) c.classList.remove('rc-hot');
  });
  document.addEventListener('click', (e) => {
    const a = cite(e); if (!a) return;
    e.preventDefault();
    const c = card(a); if (!c) return;
    for (let d = c.parentElement; d; d = d.parentElement) { if (d.tagName === 'DETAILS') d.open = true; }
    document.querySelectorAll('.rc-card.rc-picked').forEach((x) => x.classList.remove('rc-picked'));
    c.classList.add('rc-picked');
    c.scrollIntoView({block: 'nearest', behavior: 'smooth'});
  }, true);
}
"""
