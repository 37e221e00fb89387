/// The report page's style sheet, inlined so that the page needs nothing but itself.
///
/// Layout: a table of steps on wide screens; below 760 px every row becomes a card (label and
/// verdict on one line, the expression, the details), so a phone never scrolls sideways. Wide
/// mathematics scrolls inside its own box (`.math`), never the page.
enum HTMLReportStyle {
    static let css = """
    :root{--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--paper:#fff;--page:#f5f7f9;
    --verified:#1a7f37;--verified-bg:#dafbe1;--approximation:#0550ae;--approximation-bg:#ddf4ff;
    --expected:#7d4e00;--expected-bg:#fff1c7;--refuted:#b3261e;--refuted-bg:#ffe1de;
    --holds:#6e5a00;--holds-bg:#fdf6b2;--unsupported:#57606a;--unsupported-bg:#eaeef2;--error:#ffffff;--error-bg:#a40e26}
    *{box-sizing:border-box}
    html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
    body{margin:0;background:var(--page);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;overflow-wrap:break-word}
    header,main,footer{max-width:1280px;margin:0 auto;padding:0 16px}
    header h1{font-size:1.5rem;margin:20px 0 4px}
    a{color:#0969da}
    .summary{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0;padding:0;list-style:none}
    .overall{margin:8px 0 16px;font-weight:600}
    .overall.ok{color:var(--verified)}.overall.bad{color:var(--refuted)}
    section.derivation,section.source{background:var(--paper);border:1px solid var(--line);border-radius:10px;margin:16px 0;padding:12px 16px}
    section h2{font-size:1.2rem;margin:4px 0}
    .meta{color:var(--muted);font-size:.9rem;margin:0 0 8px}
    .meta code{font-size:.85rem}
    table.steps{width:100%;border-collapse:collapse;table-layout:fixed}
    table.steps>thead th{text-align:left;font-size:.8rem;color:var(--muted);font-weight:600;padding:4px 8px;border-bottom:1px solid var(--line)}
    table.steps>tbody>tr>td{vertical-align:top;padding:10px 8px;border-bottom:1px solid var(--line)}
    col.c-label{width:5.5em}col.c-verdict{width:11em}
    tr.step>td:first-child{border-left:5px solid var(--c,#999)}
    tr.step:target>td{background:#fff8c5}
    td.label a{font-weight:600;text-decoration:none}
    td.label .line{display:block;color:var(--muted);font-size:.8rem}
    .math{overflow-x:auto;overflow-y:hidden;max-width:100%;padding:2px 0;-webkit-overflow-scrolling:touch}
    math{font-family:"STIX Two Math","Latin Modern Math","Cambria Math","DejaVu Math TeX Gyre",math;font-size:1.1em}
    math[display="block"]{text-align:left;margin:0}
    .math math[display="block"]{display:block math;width:max-content}
    .badge{display:inline-block;padding:1px 10px;border-radius:999px;font-weight:600;font-size:.9rem;color:var(--c);background:var(--bg)}
    .note{display:block;font-size:.8rem;color:var(--muted);margin-top:4px}
    .miss{color:var(--refuted);font-weight:700}
    .v-verified{--c:var(--verified);--bg:var(--verified-bg)}
    .v-approximation{--c:var(--approximation);--bg:var(--approximation-bg)}
    .v-expected-mistake{--c:var(--expected);--bg:var(--expected-bg)}
    .v-refuted{--c:var(--refuted);--bg:var(--refuted-bg)}
    .v-holds-numerically{--c:var(--holds);--bg:var(--holds-bg)}
    .v-unsupported{--c:var(--unsupported);--bg:var(--unsupported-bg)}
    .v-error{--c:var(--error);--bg:var(--error-bg)}
    tr.v-error>td:first-child{border-left-color:var(--error-bg)}
    tr.v-expected-mistake td.expr{background:repeating-linear-gradient(135deg,#fffdf5 0 10px,#fff7dd 10px 20px)}
    .details{font-size:.9rem;display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:0 16px;margin-top:6px}
    .details .part{min-width:0}
    .details p{margin:0 0 6px}
    .details h3{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:8px 0 2px}
    .details ol,.details ul{margin:0 0 6px;padding-left:1.4em}
    .details li code{font-size:.85rem}
    ul.proof{list-style:none;padding:0;margin:0 0 6px;display:flex;flex-wrap:wrap;gap:4px}
    ul.proof li{background:#f0f3f6;border-radius:4px;padding:0 6px;font-size:.8rem}
    details.proof-steps{margin:0 0 6px}
    details.proof-steps summary{cursor:pointer;color:var(--muted);font-size:.8rem}
    details.proof-steps ol{font-size:.8rem;margin:4px 0 0;padding-left:2.2em}
    details.proof-steps code{font-size:.78rem;overflow-wrap:anywhere}
    .instantiation{color:var(--muted)}
    table.values{border-collapse:collapse;font-size:.85rem;margin:2px 0 6px;max-width:100%}
    table.values th{text-align:left;font-weight:600;padding:2px 8px 2px 0;vertical-align:top;white-space:nowrap}
    table.values td{padding:2px 0;border-bottom:1px solid #eef1f4;font-family:"DejaVu Sans Mono",ui-monospace,monospace;overflow-wrap:anywhere}
    .suggestion{background:#ddf4ff;border-radius:6px;padding:4px 8px}
    dl.facts{margin:4px 0 8px;font-size:.9rem}
    dl.facts dt{font-weight:600;margin-top:4px}
    dl.facts dd{margin:0 0 0 1em}
    pre.listing{margin:0;font:13px/1.45 "DejaVu Sans Mono",ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
    pre.listing .src{display:block;padding-left:4.2em;text-indent:-4.2em}
    pre.listing .src:target{background:#fff8c5}
    pre.listing .ln{display:inline-block;width:3.6em;margin-right:.6em;text-align:right;color:var(--muted);text-decoration:none;text-indent:0}
    pre.listing .back{font-size:11px;margin-left:1em;text-decoration:none}
    footer{color:var(--muted);font-size:.85rem;padding-bottom:24px}
    @media (max-width:760px){
    body{font-size:15px}
    header,main,footer{padding:0 8px}
    section.derivation,section.source{padding:10px;border-radius:8px}
    table.steps,table.steps>tbody,table.steps>tbody>tr,table.steps>tbody>tr>td{display:block;width:auto}
    .details{display:block}
    table.steps>thead,table.steps>colgroup{display:none}
    table.steps>tbody>tr.step{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 10px;border:1px solid var(--line);border-left:5px solid var(--c,#999);border-radius:6px;margin:10px 0;padding:6px 8px}
    tr.step>td:first-child{border-left:0}
    table.steps>tbody>tr>td{border:0;padding:4px 0;min-width:0}
    td.label{order:1}td.verdict{order:2;flex:1 1 auto}td.expr{order:3;flex:1 1 100%}
    td.label .line{display:inline;margin-left:6px}
    pre.listing{font-size:12px}
    }
    """
}
