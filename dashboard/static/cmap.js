/* Conflict map places layer: every place drawn by one Leaflet layer on one canvas, recoloured in place.
 *
 * The base map creates the layer (ConflictMap.init) and the layer fetches the places once from a static,
 * content-addressed JSON file. On every rerun Python sends only a short status payload
 * (ConflictMap.apply): one code per place pointing into a small style table. One layer instead of one
 * Leaflet object per place keeps 10,000 places cheap to create, redraw and hit-test.
 * Every string that reaches innerHTML here was escaped by dashboard/safe_html.escape on the Python side;
 * colours are checked below.
 */
(function () {
  "use strict";

  var HELD = 0, CONTESTED = 1, PARTIAL = 2, MIXED = 3, UNKNOWN = 4, ABANDONED = 5;
  var RADII = [7, 5, 3.5, 3, 4];  // city, town, village, neighbourhood, other
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  var HIT_SLOP = 3;  // pixels around a dot that still count as pointing at it
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

  function drawPlace(ctx, x, y, r, style, selected) {
    var type = style[0], a = colour(style[1]), b = colour(style[2] || style[1]), c = style[3];
    ctx.setLineDash([]);
    if (type === MIXED) {
      // Split disc: one slice per holder.
      var cols = c ? [a, b, colour(c)] : [a, b];
      for (var i = 0; i < cols.length; i++) {
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.arc(x, y, r, -Math.PI / 2 + (2 * Math.PI * i) / cols.length,
                -Math.PI / 2 + (2 * Math.PI * (i + 1)) / cols.length);
        ctx.closePath();
        ctx.fillStyle = cols[i];
        ctx.fill();
      }
    } else {
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
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
    ctx.arc(x, y, r, 0, Math.PI * 2);
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
      ctx.arc(x, y, r + 2.5, 0, Math.PI * 2);
      ctx.setLineDash([2, 2]);
      ctx.lineWidth = 1.2;
      ctx.strokeStyle = "#000000";
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (selected) {
      ctx.beginPath();
      ctx.arc(x, y, r + 5, 0, Math.PI * 2);
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "#000000";
      ctx.stroke();
    }
  }

  // One layer for all places. It is created synchronously with the map, so streamlit-folium registers
  // its click handler on it; a click on a dot fires "click" on this layer with the dot's own position.
  var PlacesLayer = L.Layer.extend({
    options: { pane: "cmapPlaces" },

    initialize: function () {
      this._n = 0;
      this._styles = [];      // per place: style row or null (hidden)
      this._selected = -1;
      this._xs = null;        // container pixel positions, refreshed on every view change
      this._ys = null;
    },

    setData: function (data) {
      this._data = data;
      this._n = data.lat.length;
      this._styles = new Array(this._n).fill(null);
      this._reset();
    },

    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "cmap-places");
      this._canvas.style.position = "absolute";
      this._canvas.style.pointerEvents = "none";
      this.getPane().appendChild(this._canvas);
      this._cmTip = L.tooltip({ direction: "top", offset: [0, -6], opacity: 0.95 });
      this._hover = -1;
      map.on("moveend zoomend resize viewreset", this._reset, this);
      map.on("zoomstart", this._hide, this);
      map.on("mousemove", this._onMove, this);
      map.on("mouseout", this._onOut, this);
      map.on("click", this._onClick, this);
      this._reset();
    },

    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this._reset, this);
      map.off("zoomstart", this._hide, this);
      map.off("mousemove", this._onMove, this);
      map.off("mouseout", this._onOut, this);
      map.off("click", this._onClick, this);
      map.closeTooltip(this._cmTip);
      L.DomUtil.remove(this._canvas);
    },

    _hide: function () {
      if (this._canvas) { this._canvas.style.visibility = "hidden"; }
    },

    _reset: function () {
      var map = this._map;
      if (!map || !this._canvas) { return; }
      var size = map.getSize(), ratio = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(this._canvas, map.containerPointToLayerPoint([0, 0]));
      this._canvas.width = Math.round(size.x * ratio);
      this._canvas.height = Math.round(size.y * ratio);
      this._canvas.style.width = size.x + "px";
      this._canvas.style.height = size.y + "px";
      this._canvas.style.visibility = "visible";
      this._ratio = ratio;
      var n = this._n, data = this._data;
      if (!data) { return; }
      var xs = new Float32Array(n), ys = new Float32Array(n);
      for (var i = 0; i < n; i++) {
        var p = map.latLngToContainerPoint([data.lat[i], data.lon[i]]);
        xs[i] = p.x;
        ys[i] = p.y;
      }
      this._xs = xs;
      this._ys = ys;
      this.redraw();
    },

    redraw: function () {
      if (!this._canvas || !this._xs) { return; }
      var ctx = this._canvas.getContext("2d"), w = this._canvas.width, h = this._canvas.height;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, w, h);
      ctx.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);
      var xs = this._xs, ys = this._ys, r = this._data.r, styles = this._styles;
      var maxX = w / this._ratio + 12, maxY = h / this._ratio + 12;
      // Places come sorted small kinds first, so cities are painted last, on top.
      for (var i = 0; i < this._n; i++) {
        var style = styles[i];
        if (!style || xs[i] < -12 || ys[i] < -12 || xs[i] > maxX || ys[i] > maxY) { continue; }
        drawPlace(ctx, xs[i], ys[i], RADII[r[i]] || 4, style, i === this._selected);
      }
    },

    // The topmost visible place under a container point, or -1.
    placeAt: function (point) {
      if (!this._xs) { return -1; }
      var xs = this._xs, ys = this._ys, r = this._data.r, styles = this._styles;
      for (var i = this._n - 1; i >= 0; i--) {
        if (!styles[i]) { continue; }
        var dx = xs[i] - point.x, dy = ys[i] - point.y, reach = (RADII[r[i]] || 4) + HIT_SLOP;
        if (dx * dx + dy * dy <= reach * reach) { return i; }
      }
      return -1;
    },

    latLngOf: function (i) {
      return L.latLng(this._data.lat[i], this._data.lon[i]);
    },

    _onMove: function (e) {
      var i = this.placeAt(e.containerPoint);
      if (i === this._hover) { return; }
      this._hover = i;
      this._map.getContainer().style.cursor = i >= 0 ? "pointer" : "";
      if (i < 0) {
        this._map.closeTooltip(this._cmTip);
        return;
      }
      var style = this._styles[i], text = this._data.n[i];
      if (style && style[5]) { text += "<br><span style='color:#555'>" + style[5] + "</span>"; }
      this._cmTip.setLatLng(this.latLngOf(i)).setContent(text);
      this._map.openTooltip(this._cmTip);
    },

    _onOut: function () {
      this._hover = -1;
      if (this._map) { this._map.closeTooltip(this._cmTip); }
    },

    _onClick: function (e) {
      var i = this.placeAt(e.containerPoint);
      if (i < 0) { return; }
      // Report the place's own position, not the mouse's, so Python maps it back exactly.
      this.fire("click", { latlng: this.latLngOf(i), containerPoint: e.containerPoint, index: i });
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

  function init(map, options) {
    // Own panes: outlines under everything, places above other overlays, whatever order things load in.
    map.createPane("cmapBase").style.zIndex = 250;
    map.createPane("cmapPlaces").style.zIndex = 450;
    var layer = new PlacesLayer();
    var state = { map: map, layer: layer, selected: -1, applied: 0, ready: false, pending: null };
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
    overlays["Places"] = layer;
    L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    legendControl(state).addTo(map);
    layer.addTo(map);
    if (options.fit) { map.fitBounds(options.fit, { animate: false }); }
    fetch(options.places).then(function (r) { return r.json(); }).then(function (data) {
      layer.setData(data);
      state.ready = true;
      if (state.pending) { apply(state, state.pending); }
    });
    return state;
  }

  function apply(state, payload) {
    if (!state.ready) {
      state.pending = payload;  // the places file is still loading; the latest payload wins
      return;
    }
    state.pending = null;
    var layer = state.layer, width = payload.w, codes = payload.c, styles = payload.s;
    var out = layer._styles;
    for (var i = 0; i < layer._n; i++) {
      var index = 0, hidden = false;
      for (var k = 0; k < width; k++) {
        var v = ALPHABET.indexOf(codes.charAt(i * width + k));
        if (v < 0) { hidden = true; break; }
        index = index * ALPHABET.length + v;
      }
      out[i] = hidden ? null : (styles[index] || null);
    }
    layer._selected = payload.sel;
    state.selected = payload.sel;
    renderLegend(state, payload);
    layer.redraw();
    state.applied += 1;
    state.drawnAt = Date.now();
  }

  window.ConflictMap = {
    init: function (map, options) {
      window.__cmap = init(map, options);
      return window.__cmap;
    },
    apply: function (payload) {
      if (window.__cmap) { apply(window.__cmap, payload); }
    },
    // For tests and the benchmark: the style drawn for a place index (null when hidden), its position,
    // and how many places are drawn.
    styleOf: function (i) {
      return window.__cmap ? window.__cmap.layer._styles[i] || null : null;
    },
    pointOf: function (i) {
      var layer = window.__cmap.layer;
      return [layer._xs[i], layer._ys[i]];
    },
    shown: function () {
      return window.__cmap ? window.__cmap.layer._styles.filter(function (s) { return s; }).length : 0;
    }
  };
}());
