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

// 评分表 (grid.html): a cell saves through the score API when it is left or on Enter. Enter in a
// score box goes to the next unit's same clause (after the page's last unit, the next clause; on a
// phone, the unit's next clause); below full marks without a reason it goes to the cell's reason
// box first. Enter in a reason box goes to the next score box, never to another reason. Errors are
// shown in the cell; a conflict keeps what was typed and shows the other person's value beside it.
(function () {
  var grid = document.getElementById('grid'); if (!grid) return;
  var csrf = kaoheCsrf(), base = '/api/assessments/' + grid.dataset.assessment + '/units/';
  var heads = grid.tHead.rows[0].cells, phone = window.matchMedia('(max-width: 700px)');
  // The number as typed, with full-width digits, point and minus read as ASCII (as the server does).
  function typed(t) {
    return t.trim().replace(/[\uFF10-\uFF19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48); })
      .replace(/[\uFF0E\u3002]/g, '.').replace(/[\uFF0D\u2212]/g, '-').replace(/^\uFF0B/, '+');
  }
  function isNum(t) { return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t); }
  function head(td) { return heads[td.cellIndex]; }
  function unitName(td) { return td.parentNode.cells[0].querySelector('a').textContent; }
  function label(td) { var h = head(td); return h.querySelector('b').textContent + ' ' + h.querySelector('span').textContent; }
  function key(s, r) { return s.trim() + '\u0000' + r.trim(); }
  function beijing(iso) {
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000); if (isNaN(d)) return '';
    var p = function (n) { return (n < 10 ? '0' : '') + n; };
    return d.getUTCFullYear() + '年' + (d.getUTCMonth() + 1) + '月' + d.getUTCDate() + '日 ' + p(d.getUTCHours()) + ':' + p(d.getUTCMinutes());
  }
  var cells = grid.querySelectorAll('td[data-clause]');
  Array.prototype.forEach.call(cells, function (td) {
    var s = td.querySelector('.s'), r = td.querySelector('.r'), h = head(td), name = unitName(td), l = label(td);
    // Set here rather than in each of the page's cells, to keep the page small.
    s.inputMode = 'decimal'; s.autocomplete = 'off'; r.autocomplete = 'off';
    s.setAttribute('aria-label', name + ' ' + l + ' 得分（满分 ' + h.dataset.max + '）');
    r.setAttribute('aria-label', name + ' ' + l + ' 理由'); r.placeholder = '理由';
    var lab = document.createElement('span'); lab.className = 'lab'; lab.textContent = l + '（满分 ' + h.dataset.max + '）';
    td.insertBefore(lab, s);
    td.dataset.sent = key(s.value, r.value);
  });
  // The message of a cell, in the cell: cls is saved, bad, hint or conflict ('' clears it).
  function note(td, cls, text) {
    td.classList.remove('saved', 'bad', 'hint', 'conflict'); if (cls) td.classList.add(cls);
    var e = td.querySelector('.e');
    if (!text) { if (e) e.remove(); return null; }
    if (!e) { e = document.createElement('div'); e.className = 'e'; e.setAttribute('role', cls === 'saved' ? 'status' : 'alert'); td.appendChild(e); }
    e.textContent = text;
    if (cls !== 'saved' && e.scrollIntoView) e.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    return e;
  }
  // What is wrong with a cell before it is sent, or ''. `need` asks for the reason too.
  function check(td) {
    var s = td.querySelector('.s'), r = td.querySelector('.r'), max = Number(head(td).dataset.max), t = typed(s.value);
    if (t === '') return td.dataset.v ? '得分不能清空：已保存的分数只能改，不能删' : '';
    if (!isNum(t)) return '得分“' + s.value.trim() + '”不是数字';
    var v = Number(t);
    if (v < 0 || v > max) return '得分 ' + t + ' 超出分值范围（0 到 ' + head(td).dataset.max + '）';
    if (v < max && !r.value.trim()) return 'reason';
    return '';
  }
  function save(td) {
    var s = td.querySelector('.s'), r = td.querySelector('.r'), k = key(s.value, r.value);
    if (s.value.trim() === '' && !td.dataset.v) return true;
    if (td.dataset.sent === k) return true;
    var why = check(td);
    if (why === 'reason') { note(td, 'bad', '得分 ' + typed(s.value) + ' 低于满分 ' + head(td).dataset.max + '，须填写理由'); return false; }
    if (why) { note(td, 'bad', why); return false; }
    td.dataset.sent = k;
    var body = { score: s.value.trim(), reason: r.value.trim(), version: td.dataset.v ? Number(td.dataset.v) : null };
    fetch(base + encodeURIComponent(td.parentNode.dataset.unit) + '/scores/' + encodeURIComponent(td.dataset.clause) + '/assessor', { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (j) { return { status: res.status, body: j }; }, function () { return { status: res.status, body: {} }; }); })
      .then(function (x) {
        if (x.status === 200) {
          td.dataset.v = x.body.version;
          if (key(s.value, r.value) === k) { s.value = x.body.score; r.value = x.body.reason; td.dataset.sent = key(s.value, r.value); }
          note(td, 'saved', '已保存 ' + x.body.score);
        } else if (x.status === 409 && x.body.current) {
          // Someone else changed it: what was typed stays; their value is shown; the next save is
          // made against their version, so Enter again keeps the typed value on purpose.
          var c = x.body.current; td.dataset.v = c.version; delete td.dataset.sent;
          var e = note(td, 'conflict', c.updated_by + ' 已于 ' + beijing(c.updated_at) + ' 改为 ' + c.score + (c.reason ? '（理由：' + c.reason + '）' : '') + '。您填的仍在框中：再按回车以您的为准，或');
          var b = document.createElement('button'); b.type = 'button'; b.textContent = '改用 ' + c.score;
          b.addEventListener('click', function () { s.value = c.score; r.value = c.reason || ''; td.dataset.sent = key(s.value, r.value); note(td, 'saved', '已改用 ' + c.score); s.focus(); });
          e.appendChild(document.createTextNode(' ')); e.appendChild(b);
        } else { delete td.dataset.sent; note(td, 'bad', x.body.error || ('保存失败（' + x.status + '）')); }
      }, function () { delete td.dataset.sent; note(td, 'bad', '保存失败：网络错误，请重试'); });
    return true;
  }
  // The next score cell after td: the next unit's same clause (then the next clause from the top);
  // on a phone the unit's next clause (then the next unit).
  function next(td) {
    var rows = td.parentNode.parentNode.rows, i = td.parentNode.sectionRowIndex, j = td.cellIndex, n = heads.length;
    for (var step = 1; step < rows.length * n; step++) {
      var ri, cj;
      if (phone.matches) { var at = i * n + j + step; ri = Math.floor(at / n) % rows.length; cj = at % n; }
      else { var at2 = j * rows.length + i + step; cj = Math.floor(at2 / rows.length) % n; ri = at2 % rows.length; }
      var c = rows[ri].cells[cj];
      if (c && c.dataset.clause) return c;
    }
    return null;
  }
  function go(td) { if (!td) return; var s = td.querySelector('.s'); s.focus(); s.select(); }
  grid.addEventListener('focusout', function (e) {
    var td = e.target.closest('td[data-clause]'); if (!td) return;
    if (e.relatedTarget && td.contains(e.relatedTarget)) return;
    // After a conflict only Enter saves: leaving the cell never overwrites the other value.
    if (td.classList.contains('conflict')) return;
    save(td);
  });
  grid.addEventListener('keydown', function (e) {
    var td = e.target.closest('td[data-clause]'); if (!td) return;
    var inScore = e.target.classList.contains('s');
    if (e.key === 'Enter') {
      if (e.isComposing) return;
      e.preventDefault();
      var why = check(td);
      if (inScore && why === 'reason') { note(td, 'hint', '低于满分，请写理由后按回车'); td.querySelector('.r').focus(); return; }
      if (!save(td)) { (why === 'reason' ? td.querySelector('.r') : td.querySelector('.s')).focus(); return; }
      go(next(td));
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      var tr = e.key === 'ArrowDown' ? td.parentNode.nextElementSibling : td.parentNode.previousElementSibling;
      var to = tr && tr.cells[td.cellIndex];
      if (to && to.dataset.clause) { e.preventDefault(); to.querySelector(inScore ? '.s' : '.r').focus(); }
    }
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
    var cell = input.form || input.parentNode, bar = cell.querySelector('progress'), status = cell.querySelector('.upload-status');
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

// Files sent with a unit page's forms (an objection's, a finding's photo taken with the phone's
// camera or any file, one added or replaced): read into the form's hidden `<into>_data` (base64url,
// so the url-encoded form carries it as it is) and `<into>_name`; the server checks type and size.
// Without this script the same forms post the file itself (multipart/form-data); with it they post
// the url-encoded form, the file in its hidden field.
document.querySelectorAll('input.form-file').forEach(function (input) {
  input.removeAttribute('name');
  if (input.form) input.form.enctype = 'application/x-www-form-urlencoded';
  input.addEventListener('change', function () {
    var form = input.form, into = input.dataset.into, f = input.files[0];
    var data = form.querySelector('input[name="' + into + '_data"]'), name = form.querySelector('input[name="' + into + '_name"]');
    var buttons = form.querySelectorAll('button[type=submit]');
    var say = function (t) {
      var s = input.parentNode.querySelector('.upload-status');
      if (!s) { s = document.createElement('span'); s.className = 'upload-status text'; input.insertAdjacentElement('afterend', s); }
      s.textContent = t;
    };
    data.value = ''; name.value = '';
    if (!f) { say(''); return; }
    if (f.size > 20 * 1024 * 1024) { input.value = ''; say('文件过大：' + (f.size / 1048576).toFixed(1) + ' MB，上限 20 MB'); return; }
    buttons.forEach(function (b) { b.disabled = true; });
    say('正在读取…');
    var r = new FileReader();
    r.onload = function () {
      data.value = String(r.result).split('base64,')[1].replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      name.value = f.name;
      buttons.forEach(function (b) { b.disabled = false; });
      say('已选：' + f.name);
    };
    r.onerror = function () { buttons.forEach(function (b) { b.disabled = false; }); say('文件读取失败，请重新选择'); };
    r.readAsDataURL(f);
  });
});

// A chosen file's name beside its button (the browser's own words for it are hidden: see
// label.file-pick in base.html), for the file inputs whose part of this script shows nothing else.
document.querySelectorAll('input.show-name').forEach(function (input) {
  input.addEventListener('change', function () {
    var s = input.parentNode.querySelector('.upload-status');
    if (!s) { s = document.createElement('span'); s.className = 'upload-status text'; input.insertAdjacentElement('afterend', s); }
    s.textContent = input.files[0] ? '已选：' + input.files[0].name : '';
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

// 新建考核 (wizard.html): a chosen TOML file is read into the text box; an Excel sheet is sent as
// base64 (the form posts text).
(function () {
  var f = document.getElementById('rubric-file'); if (!f) return;
  f.addEventListener('change', function () {
    var file = f.files[0]; if (!file) return;
    document.getElementById('rubric-name').value = file.name;
    var r = new FileReader();
    if (/\.xlsx$/i.test(file.name)) {
      r.onload = function () { document.getElementById('rubric-xlsx').value = String(r.result).split('base64,')[1] || ''; document.getElementById('rubric-text').value = ''; };
      r.readAsDataURL(file);
    } else {
      r.onload = function () { document.getElementById('rubric-text').value = r.result; document.getElementById('rubric-xlsx').value = ''; };
      r.readAsText(file, 'utf-8');
    }
  });
})();

// 名册导入 (设置页): the workbook posted to the roster API; every problem listed by sheet, row and
// column, or the new accounts with their initial passwords (shown once, never stored in the page's URL).
(function () {
  var box = document.getElementById('roster'); if (!box) return;
  var esc = function (s) { var d = document.createElement('div'); d.textContent = s === null || s === undefined ? '' : String(s); return d.innerHTML; };
  var file = document.getElementById('roster-file'), out = document.getElementById('roster-result');
  document.getElementById('roster-import').addEventListener('click', function () {
    var f = file.files[0]; if (!f) { out.innerHTML = '<div class="msg error">请先选择名册文件（.xlsx）</div>'; return; }
    out.innerHTML = '<p class="muted">正在导入…</p>';
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/assessments/' + box.dataset.assessment + '/roster');
    xhr.setRequestHeader('X-CSRF-Token', kaoheCsrf());
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(f.name));
    xhr.onload = function () {
      var r = {}; try { r = JSON.parse(xhr.responseText); } catch (e) {}
      var html = '';
      if (xhr.status === 200) {
        html = '<div class="msg ok">已导入 ' + esc(r.units) + ' 个单位、' + esc(r.accounts.length) + ' 个账号。以下初始密码只显示这一次，请告知本人；首次登录须先修改密码。刷新页面可看到新单位与账号。</div>';
        html += '<table id="issued"><thead><tr><th>登录名</th><th>姓名</th><th>角色</th><th>所属单位编码</th><th>初始密码</th></tr></thead><tbody>';
        r.accounts.forEach(function (a) { html += '<tr><td>' + esc(a.login) + '</td><td>' + esc(a.name) + '</td><td>' + esc(a.role) + '</td><td>' + esc(a.unit) + '</td><td><code>' + esc(a.password) + '</code></td></tr>'; });
        html += '</tbody></table>';
        // The same list to download once (CSV with a BOM, so that Excel reads the Chinese).
        var q = function (s) { s = s === null || s === undefined ? '' : String(s); return '"' + s.replace(/"/g, '""') + '"'; };
        var csv = '\ufeff登录名,姓名,角色,所属单位编码,初始密码\r\n';
        r.accounts.forEach(function (a) { csv += [a.login, a.name, a.role, a.unit, a.password].map(q).join(',') + '\r\n'; });
        html += '<p><a id="issued-download" download="初始密码名单.csv" href="' + URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' })) + '">下载初始密码名单（CSV，只此一次）</a></p>';
      } else {
        html = '<div class="msg error">' + esc(r.error || ('导入失败（' + xhr.status + '）')) + '</div>';
        var ps = r.problems || [];
        if (ps.length) {
          html += '<table id="roster-problems"><thead><tr><th>工作表</th><th>行</th><th>列</th><th>原值</th><th>问题</th></tr></thead><tbody>';
          ps.forEach(function (p) { html += '<tr><td>' + esc(p.sheet) + '</td><td>' + esc(p.row) + '</td><td>' + esc(p.column) + '</td><td>' + esc(p.value) + '</td><td>' + esc(p.message) + '</td></tr>'; });
          html += '</tbody></table>';
        }
      }
      out.innerHTML = html; file.value = '';
    };
    xhr.send(f);
  });
})();

// A page opened at one of its parts (#c-1.1.1 after a score is saved, #objections…) shows its message
// there, where the person is looking — above that clause's row or that section — not atop the page out
// of view (on a phone, two screens up). Without a part, or without this script, it stays atop the page.
(function () {
  var m = document.querySelector('main > .msg'); if (!m || !location.hash) return;
  var t = null; try { t = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (e) {}
  if (!t || t.contains(m)) return;
  var near = m.cloneNode(true);
  if (t.tagName === 'TR') {
    var row = document.createElement('tr'), cell = document.createElement('td');
    row.className = 'msg-row'; cell.colSpan = t.cells.length || 1;
    cell.appendChild(near); row.appendChild(cell); t.parentNode.insertBefore(row, t);
  } else if (/^(TD|TH|TBODY|THEAD)$/.test(t.tagName)) {
    var table = t.closest('table'); table.parentNode.insertBefore(near, table);
  } else {
    t.parentNode.insertBefore(near, t);
  }
  m.parentNode.removeChild(m);
  var show = function () { near.scrollIntoView({ block: 'start' }); };
  show(); window.addEventListener('load', show);
})();
