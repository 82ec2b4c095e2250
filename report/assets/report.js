
(function () {
  function key(cell) {
    if (!cell) return null;
    var v = cell.getAttribute('data-v');
    if (v !== null) return v === '' ? null : parseFloat(v);
    var t = cell.textContent.trim();
    return t === '' ? null : t;
  }
  function sortBy(table, th, col) {
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r.setAttribute('data-pos', i); });
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      if (x === null || y === null) {
        if (x === y) return a.getAttribute('data-pos') - b.getAttribute('data-pos');
        return x === null ? 1 : -1;
      }
      var d = (typeof x === 'number' && typeof y === 'number') ? x - y
            : String(x).localeCompare(String(y), undefined, {numeric: true});
      if (d === 0) return a.getAttribute('data-pos') - b.getAttribute('data-pos');
      return asc ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  var tables = document.querySelectorAll('table.sortable-table');
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.classList.add('sortable');
      th.tabIndex = 0;
      th.title = 'Sort by this column';
      th.addEventListener('click', function () { sortBy(table, th, col); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th, col); }
      });
    });
  });
})();
