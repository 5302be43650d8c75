/* Conflict map places layer: draws every place once on one canvas and recolours it in place.
 *
 * Python sends the geometry once (ConflictMap.init) and, on every rerun, only a short status payload
 * (ConflictMap.apply): one code per place pointing into a small style table. Every string that reaches
 * innerHTML here was escaped by dashboard/safe_html.escape on the Python side; colours are checked below.
 */
(function () {
  "use strict";

  var HELD = 0, CONTESTED = 1, PARTIAL = 2, MIXED = 3, UNKNOWN = 4, ABANDONED = 5;
  var RADII = [7, 5, 3.5, 3, 4];  // city, town, village, neighbourhood, other
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  var patterns = {};

  function colour(value) {
    return COLOUR.test(value) ? value : "#888888";
  }

  // Diagonal stripes in two colours: the conventional look of a contested place.
  function hatch(ctx, a, b) {
    var key = a + b;
    if (!patterns[key]) {
      var tile = document.createElement("canvas");
      tile.width = tile.height = 6;
      var t = tile.getContext("2d");
      t.fillStyle = a;
      t.fillRect(0, 0, 6, 6);
      t.strokeStyle = b;
      t.lineWidth = 2;
      t.beginPath();
      t.moveTo(-1, 7); t.lineTo(7, -1);
      t.moveTo(-4, 4); t.lineTo(4, -4);
      t.moveTo(2, 10); t.lineTo(10, 2);
      t.stroke();
      patterns[key] = ctx.createPattern(tile, "repeat");
    }
    return patterns[key];
  }

  function draw(ctx, p, r, style, selected) {
    var type = style[0], a = colour(style[1]), b = colour(style[2] || style[1]), c = style[3];
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    if (type === MIXED) {
      // Split disc: one slice per holder.
      var cols = c ? [a, b, colour(c)] : [a, b];
      for (var i = 0; i < cols.length; i++) {
        ctx.beginPath();
        ctx.moveTo(p.x, p.y);
        ctx.arc(p.x, p.y, r, -Math.PI / 2 + (2 * Math.PI * i) / cols.length,
                -Math.PI / 2 + (2 * Math.PI * (i + 1)) / cols.length);
        ctx.closePath();
        ctx.fillStyle = cols[i];
        ctx.fill();
      }
    } else {
      ctx.beginPath();
      ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
      if (type === CONTESTED) {
        ctx.fillStyle = hatch(ctx, a, b);
      } else if (type === UNKNOWN || type === ABANDONED) {
        ctx.fillStyle = type === UNKNOWN ? "#ffffff" : "#bdbdbd";
      } else {
        ctx.fillStyle = a;
      }
      ctx.fill();
    }
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
    if (type === PARTIAL) {
      // Ring in the colour of the faction holding the smaller part.
      ctx.lineWidth = Math.max(2, r / 2.5);
      ctx.strokeStyle = b;
    } else {
      ctx.lineWidth = 0.8;
      ctx.strokeStyle = type === UNKNOWN ? "#777777" : "rgba(0,0,0,0.6)";
    }
    ctx.stroke();
    if (style[4]) {
      // Unreviewed machine extraction: a dashed outer ring.
      ctx.beginPath();
      ctx.arc(p.x, p.y, r + 2.5, 0, Math.PI * 2);
      ctx.setLineDash([2, 2]);
      ctx.lineWidth = 1.2;
      ctx.strokeStyle = "#000000";
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (selected) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, r + 5, 0, Math.PI * 2);
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "#000000";
      ctx.stroke();
    }
  }

  var PlaceMarker = L.CircleMarker.extend({
    _updatePath: function () {
      var renderer = this._renderer;
      if (!renderer._drawing || this._empty() || !this._cm) { return; }
      draw(renderer._ctx, this._point, this._radius, this._cm, this._cmSelected);
    },
    _containsPoint: function (p) {
      return !!this._cm && L.CircleMarker.prototype._containsPoint.call(this, p);
    }
  });

  function legendControl(state) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "cmap-legend");
      div.style.cssText = "background:rgba(255,255,255,0.92);padding:6px 8px;font:12px/1.35 sans-serif;" +
        "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3);max-height:60%;overflow:auto;color:#222";
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      state.legendDiv = div;
      return div;
    };
    return control;
  }

  function renderLegend(state, payload) {
    if (!state.legendDiv) { return; }
    var rows = [];
    if (payload.title) { rows.push("<div style='font-weight:bold;margin-bottom:3px'>" + payload.title + "</div>"); }
    (payload.legend || []).forEach(function (item) {
      rows.push("<div><span style='display:inline-block;width:10px;height:10px;border-radius:50%;" +
        "border:1px solid #333;margin-right:5px;background:" + colour(item[1]) + "'></span>" + item[0] +
        " <b>" + Number(item[2]) + "</b></div>");
    });
    (payload.notes || []).forEach(function (note) {
      rows.push("<div style='color:#444'>" + note + "</div>");
    });
    state.legendDiv.innerHTML = rows.join("");
  }

  function init(map, data, options) {
    // Own panes: outlines under everything, places above other overlays, whatever order things load in.
    map.createPane("cmapBase").style.zIndex = 250;
    map.createPane("cmapPlaces").style.zIndex = 450;
    var renderer = L.canvas({ padding: 0.3, pane: "cmapPlaces" });
    var markers = new Array(data.lat.length);
    var group = L.layerGroup();
    var state = { map: map, renderer: renderer, markers: markers, selected: -1, applied: 0, drawnAt: null };
    for (var i = 0; i < markers.length; i++) {
      var m = new PlaceMarker([data.lat[i], data.lon[i]], {
        renderer: renderer, radius: RADII[data.r[i]] || 4, bubblingMouseEvents: false
      });
      m._cmIndex = i;
      m._cm = null;
      m.bindTooltip(tooltipFor, { sticky: false, direction: "top", opacity: 0.95 });
      // Report the place's own position on click (not the mouse's), so Python maps it back exactly.
      m.on("click", function (e) { e.latlng = this.getLatLng(); });
      group.addLayer(m);
      markers[i] = m;
    }
    function tooltipFor(layer) {
      var i = layer._cmIndex, style = layer._cm;
      var text = data.n[i];
      if (style && style[5]) { text += "<br><span style='color:#555'>" + style[5] + "</span>"; }
      return text;
    }
    state.outlines = L.layerGroup();
    if (options.basemap) {
      fetch(options.basemap).then(function (r) { return r.json(); }).then(function (geo) {
        L.geoJSON(geo, {
          interactive: false,
          renderer: L.canvas({ pane: "cmapBase" }),
          style: function (f) {
            var focus = f.properties && f.properties.focus;
            return { color: focus ? "#555555" : "#9a9a9a", weight: focus ? 1.4 : 0.8,
                     fillColor: focus ? "#fbfaf6" : "#ecebe6", fillOpacity: 1 };
          }
        }).addTo(state.outlines);
        state.basemapLoaded = true;
      }).catch(function () { state.basemapLoaded = false; });
      state.outlines.addTo(map);
    }
    var overlays = { "Country outlines (offline)": state.outlines };
    if (options.osm) {
      // Off by default: it needs the internet, and the map must work without it.
      overlays["OpenStreetMap (online)"] = L.tileLayer(options.osm, {
        maxZoom: 18, attribution: options.osmAttribution || "", pane: "cmapBase"
      });
    }
    overlays["Places"] = group;
    L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    legendControl(state).addTo(map);
    group.addTo(map);
    state.group = group;
    if (options.fit) { map.fitBounds(options.fit, { animate: false }); }
    return state;
  }

  function apply(state, payload) {
    var width = payload.w, codes = payload.c, styles = payload.s, markers = state.markers;
    for (var i = 0; i < markers.length; i++) {
      var code = codes.substr(i * width, width), index = 0, hidden = false;
      for (var k = 0; k < code.length; k++) {
        var v = ALPHABET.indexOf(code.charAt(k));
        if (v < 0) { hidden = true; break; }
        index = index * ALPHABET.length + v;
      }
      markers[i]._cm = hidden ? null : (styles[index] || null);
      markers[i]._cmSelected = i === payload.sel;
    }
    state.selected = payload.sel;
    state.applied += 1;
    state.lastPayload = payload;
    renderLegend(state, payload);
    var renderer = state.renderer;
    if (renderer._map) {
      renderer._redrawBounds = null;
      renderer._redraw();
    }
    state.drawnAt = Date.now();
  }

  window.ConflictMap = {
    init: function (map, data, options) {
      window.__cmap = init(map, data, options);
      return window.__cmap;
    },
    apply: function (payload) {
      if (window.__cmap) { apply(window.__cmap, payload); }
    },
    // For tests and the benchmark: the style drawn for a place index, or null when hidden.
    styleOf: function (i) {
      var m = window.__cmap && window.__cmap.markers[i];
      return m ? m._cm : null;
    }
  };
}());
