// kaohe 的页面脚本 — one file served by the app (/static/kaohe.js) so that the Content-Security-Policy
// allows no inline script. Each part runs only on the page that has its elements; what a part needs
// from the server (the assessment, the unit) is in data-* attributes, the CSRF token in
// <meta name="kaohe-csrf">.
'use strict';
function kaoheCsrf() { var m = document.querySelector('meta[name="kaohe-csrf"]'); return m ? m.content : ''; }

// 表格排序: click a column heading of a table marked `sortable` (again to reverse). Numbers sort as
// numbers (thousands separators and % ignored, − read as minus), text by Chinese collation; a cell's
// data-sort value, where it has one, is sorted instead of its text; empty cells go last.
document.querySelectorAll('table.sortable').forEach(function (table) {
  var heads = table.tHead ? table.tHead.rows[0].cells : [];
  Array.prototype.forEach.call(heads, function (th, col) {
    th.style.cursor = 'pointer'; th.tabIndex = 0; th.title = '点击排序';
    function sort() {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var key = function (r) { var c = r.cells[col]; var t = (c ? (c.dataset.sort !== undefined ? c.dataset.sort : c.textContent) : '').trim(); var n = t.replace(/[,%，]/g, '').replace('\u2212', '-'); return { t: t, n: n !== '' && !isNaN(n) ? Number(n) : null }; };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x.t === '' || y.t === '') return (x.t === '') - (y.t === '');
        var c = (x.n !== null && y.n !== null) ? x.n - y.n : x.t.localeCompare(y.t, 'zh-CN');
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
  });
});

// 评分表 (grid.html): each changed cell saved through the API; 409 shows the current value.
(function () {
  var grid = document.getElementById('grid'); if (!grid) return;
  var csrf = kaoheCsrf(), base = '/api/assessments/' + grid.dataset.assessment + '/units/';
  var status = document.getElementById('grid-status');
  function say(text, ok) { status.hidden = false; status.className = 'msg ' + (ok ? 'ok' : 'error'); status.textContent = text; }
  function save(td) {
    var tr = td.parentNode, s = td.querySelector('.s'), r = td.querySelector('.r');
    var unit = tr.dataset.unit, clause = td.dataset.clause, name = tr.cells[0].textContent.trim();
    if (s.value.trim() === '') return;
    var body = { score: s.value.trim(), reason: r.value.trim(), version: td.dataset.version ? Number(td.dataset.version) : null };
    if (Number(body.score) < Number(td.dataset.max) && !body.reason) {
      td.className = 'cell bad'; say(name + ' ' + clause + '：得分 ' + body.score + ' 低于满分 ' + td.dataset.max + '，须填写理由', false); r.focus(); return;
    }
    fetch(base + unit + '/scores/' + encodeURIComponent(clause) + '/assessor', { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (j) { return { status: res.status, body: j }; }); })
      .then(function (x) {
        if (x.status === 200) { td.dataset.version = x.body.version; td.className = 'cell saved'; say('已保存 ' + name + ' ' + clause + '：' + x.body.score, true); }
        else if (x.status === 409 && x.body.current) {
          var c = x.body.current; td.className = 'cell conflict';
          say(name + ' ' + clause + '：' + x.body.error + '。本格已显示当前值，请核对后再改。', false);
          s.value = c.score; r.value = c.reason || ''; td.dataset.version = c.version;
        } else { td.className = 'cell bad'; say(name + ' ' + clause + '：' + (x.body.error || x.status), false); }
      });
  }
  grid.addEventListener('change', function (e) { var td = e.target.closest('td.cell'); if (td) save(td); });
  grid.addEventListener('keydown', function (e) {
    var td = e.target.closest('td.cell'); if (!td) return;
    var tr = td.parentNode, i = Array.prototype.indexOf.call(tr.cells, td), cls = e.target.className;
    var to = null;
    if (e.key === 'ArrowDown' || e.key === 'Enter') to = tr.nextElementSibling;
    else if (e.key === 'ArrowUp') to = tr.previousElementSibling;
    if (e.key === 'Enter') { e.preventDefault(); e.target.blur(); }
    if (to && to.cells[i]) { e.preventDefault(); to.cells[i].querySelector('.' + cls).focus(); }
  });
})();

// 导入平台数据 (import.html): stage with progress (a kind's new file replaces the one staged before),
// the staged files listed from the server (they survive a reload), each removable; preview, commit.
(function () {
  var page = document.getElementById('import'); if (!page) return;
  var csrf = kaoheCsrf(), base = '/api/assessments/' + page.dataset.assessment + '/imports/';
  var $ = function (id) { return document.getElementById(id); };
  function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c]; }); }
  function post(path, body) {
    return fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); });
  }
  function tokens() { return Array.prototype.map.call($('staged').querySelectorAll('tr[data-token]'), function (tr) { return tr.dataset.token; }); }
  function plan() { return { tokens: tokens(), start: $('period-start').value, end: $('period-end').value, rating_scale: $('scale').value || null }; }
  function show(list) {
    var html = '';
    (list || []).forEach(function (f) {
      html += '<tr data-token="' + esc(f.token) + '" data-kind="' + esc(f.kind) + '"><td>' + esc(f.kind_name) + '</td><td>' + esc(f.name) + '</td><td>' + esc(f.size) + '</td><td>' + esc(f.uploaded) + '</td><td><button type="button" class="remove-staged">移除</button></td></tr>';
    });
    $('staged').innerHTML = html;
    $('staged-files').hidden = !html; $('no-staged').hidden = !!html;
    $('commit').disabled = true;
  }
  $('file').addEventListener('change', function () {
    var f = $('file').files[0]; if (!f) return;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', base + 'stage');
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.setRequestHeader('X-Kind', $('kind').value);
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(f.name));
    $('bar').hidden = false; $('staged-status').textContent = '正在上传…';
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) $('bar').value = Math.round(100 * e.loaded / e.total); };
    xhr.onload = function () {
      var r = {}; try { r = JSON.parse(xhr.responseText); } catch (e) {}
      $('bar').hidden = true;
      if (xhr.status === 200) {
        show(r.staged);
        var msg = '已暂存：' + r.file_name + '（' + $('kind').selectedOptions[0].text + '）';
        if (r.replaced && r.replaced.length) msg += '，替换了之前暂存的 ' + r.replaced.join('、');
        $('staged-status').textContent = msg; $('file').value = ''; $('result').innerHTML = '';
      } else { $('staged-status').textContent = '暂存失败：' + (r.error || xhr.status); }
    };
    xhr.send(f);
  });
  $('staged').addEventListener('click', function (e) {
    var b = e.target.closest('button.remove-staged'); if (!b) return;
    var tr = b.closest('tr'), name = tr.cells[1].textContent;
    post('cancel', { tokens: [tr.dataset.token] }).then(function (r) {
      if (r.status === 200) { show(r.body.staged); $('staged-status').textContent = '已移除：' + name; $('result').innerHTML = ''; }
      else { $('staged-status').textContent = '移除失败：' + (r.body.error || r.status); }
    });
  });
  function rows(p) {
    if (!p.count || p.count <= 1) return esc(p.row);
    var more = p.count > p.rows.length ? ' 等' : '';
    return esc(p.rows.join('、')) + more + '（共 ' + p.count + ' 行）';
  }
  $('preview').addEventListener('click', function () {
    post('preview', plan()).then(function (r) {
      var j = r.body, html = '';
      if (r.status !== 200) { html = '<div class="msg error">' + esc(j.error) + '</div>'; }
      else if (j.ok) { html = '<div class="msg ok">预览通过：' + j.rows + ' 行，' + j.metrics + ' 条指标，' + j.instances + ' 例超期办件。可以导入。</div>'; $('commit').disabled = false; }
      else { html = '<div class="msg error">数据有问题，未导入。请改正后重新上传（同类文件会替换暂存的那一份）：</div>'; $('commit').disabled = true; }
      var ps = (j.problems || []);
      if (ps.length) {
        html += '<table id="problems"><thead><tr><th>级别</th><th>文件</th><th>行</th><th>列</th><th>原值</th><th>问题</th><th>应为</th></tr></thead><tbody>';
        ps.forEach(function (p) { html += '<tr><td>' + esc({error:'错误',warning:'警告',note:'提示'}[p.severity]) + '</td><td>' + esc(p.file) + '</td><td>' + rows(p) + '</td><td>' + esc(p.column) + '</td><td>' + esc(p.value) + '</td><td>' + esc(p.message) + '</td><td>' + esc(p.expected) + '</td></tr>'; });
        html += '</tbody></table>';
      }
      $('result').innerHTML = html;
    });
  });
  $('commit').addEventListener('click', function () {
    post('commit', plan()).then(function (r) {
      var j = r.body;
      $('result').innerHTML = r.status === 200 ? '<div class="msg ok">已导入（第 ' + j.import + ' 次导入）：' + j.rows + ' 行，' + j.metrics + ' 条指标，' + j.instances + ' 例超期办件。</div>' : '<div class="msg error">' + esc(j.error) + '</div>';
      if (r.status === 200) { show([]); }
    });
  });
  $('cancel').addEventListener('click', function () {
    post('cancel', { tokens: tokens() }).then(function (r) { show(r.body.staged); $('result').innerHTML = '<div class="msg ok">已全部移除，暂存文件已删除。</div>'; });
  });
})();

// 佐证材料: uploaded with progress to the evidence API (the server checks the type by content).
document.querySelectorAll('input.evidence').forEach(function (input) {
  input.addEventListener('change', function () {
    var f = input.files[0];
    if (!f) return;
    var cell = input.parentNode, bar = cell.querySelector('progress'), status = cell.querySelector('.upload-status');
    var xhr = new XMLHttpRequest();
    xhr.open('PUT', '/api/assessments/' + input.dataset.assessment + '/units/' + encodeURIComponent(input.dataset.unit) + '/clauses/' + encodeURIComponent(input.dataset.clause) + '/evidence');
    xhr.setRequestHeader('X-CSRF-Token', kaoheCsrf());
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(f.name));
    bar.hidden = false; status.textContent = '正在上传…';
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
    xhr.onload = function () {
      var r = {};
      try { r = JSON.parse(xhr.responseText); } catch (e) {}
      if (xhr.status === 200) { bar.value = 100; status.textContent = '已上传：' + r.original_name; }
      else { bar.hidden = true; status.textContent = '上传失败：' + (r.error || xhr.status); }
    };
    xhr.onerror = function () { status.textContent = '上传失败：网络错误'; };
    xhr.send(f);
  });
});

// 方案对比 (whatif.html): a chosen draft file is read into the text box.
(function () {
  var f = document.getElementById('draft-file'); if (!f) return;
  f.addEventListener('change', function () {
    var file = f.files[0]; if (!file) return;
    var r = new FileReader();
    r.onload = function () { document.getElementById('draft-text').value = r.result; document.getElementById('draft-name').value = file.name; };
    r.readAsText(file, 'utf-8');
  });
})();

// 考核反馈单 (feedback.html): the print button.
(function () {
  var b = document.getElementById('print'); if (!b) return;
  b.addEventListener('click', function () { window.print(); });
})();
