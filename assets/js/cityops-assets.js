/* The asset map's drawing functions, referenced by dash-leaflet props as
   {"variable": "cityops.assets.*"}. Colours come from the layer's `hideout`, set by the page:
   {kinds: {kind: colour}, statuses: {status: colour}, kindCodes: [colour by code],
    statusCodes: [colour by code], rates: {adcode: per_1000}, ...}. Points carry their kind
   and status as codes (`t`, `s`: positions in the page's KINDS and STATUSES; 0 is normal);
   lines and polygons carry the words. */
window.cityops = Object.assign({}, window.cityops, {
    assets: {
        /* A point asset: a small dot in its kind's colour; an asset that is not normal is a
           larger dot in its status's colour, ringed in its kind's colour, above the rest. */
        point: function (feature, latlng, context) {
            const hideout = context.hideout || {};
            const props = feature.properties || {};
            const kind = (hideout.kindCodes || [])[props.t] || '#3fa9ff';
            if (props.s === 0) {
                return L.circleMarker(latlng, {radius: 4, weight: 1, color: '#07111f',
                                               fillColor: kind, fillOpacity: 0.9});
            }
            const status = (hideout.statusCodes || [])[props.s] || '#ff4d4f';
            return L.circleMarker(latlng, {radius: 7, weight: 2.5, color: kind,
                                           fillColor: status, fillOpacity: 1,
                                           pane: hideout.pane || 'overlayPane'});
        },
        /* A cluster: a disc sized by its count, in the layer's colour. */
        cluster: function (feature, latlng, index, context) {
            const hideout = context.hideout || {};
            const count = feature.properties.point_count;
            const size = count < 100 ? 30 : count < 1000 ? 38 : count < 10000 ? 46 : 54;
            const icon = L.divIcon({
                html: '<div><span>' + feature.properties.point_count_abbreviated + '</span></div>',
                className: 'assets-cluster ' + (hideout.clusterClass || ''),
                iconSize: L.point(size, size)
            });
            return L.marker(latlng, {icon: icon});
        },
        /* A line or polygon asset: its kind's colour, or its status's colour when not normal. */
        shape: function (feature, context) {
            const hideout = context.hideout || {};
            const props = feature.properties || {};
            const normal = props.status === 'normal';
            const colour = normal ? (hideout.kinds || {})[props.kind]
                                  : (hideout.statuses || {})[props.status];
            const polygon = feature.geometry && feature.geometry.type.indexOf('Polygon') >= 0;
            return {color: colour || '#3fa9ff', weight: normal ? 2 : 4, opacity: 0.9,
                    fillColor: colour || '#3fa9ff', fillOpacity: polygon ? 0.25 : 0};
        },
        /* The fault-rate choropleth: districts shaded by faults per 1,000 assets. */
        rateStyle: function (feature, context) {
            const hideout = context.hideout || {};
            const rate = (hideout.rates || {})[feature.properties.adcode];
            const steps = hideout.steps || [];
            const colours = hideout.colours || [];
            let fill = hideout.empty || '#1d2633';
            if (rate !== undefined && rate !== null) {
                fill = colours[0];
                for (let i = 0; i < steps.length; i++) {
                    if (rate >= steps[i]) { fill = colours[i + 1]; }
                }
            }
            return {color: '#9fd4ff', weight: 1.5, opacity: 0.9, fillColor: fill,
                    fillOpacity: 0.75};
        },
        /* The district's name and its rate, always shown in the middle of the district. */
        rateLabel: function (feature, layer, context) {
            const hideout = context.hideout || {};
            const props = feature.properties || {};
            const name = hideout.language === 'en' ? props.name_en : props.name_zh;
            const rate = (hideout.rates || {})[props.adcode];
            const text = rate === undefined || rate === null ? '—' : rate.toFixed(2) + '‰';
            layer.bindTooltip('<b>' + name + '</b><br>' + text,
                              {permanent: true, direction: 'center', className: 'district-label'});
        }
    }
});
