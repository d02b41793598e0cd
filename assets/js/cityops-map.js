/* Map styling functions referenced by dash-leaflet props as {"variable": "cityops.map.*"}. */
window.cityops = Object.assign({}, window.cityops, {
    map: {
        districtStyle: function (feature, context) {
            return {color: '#5fb3ff', weight: 1.5, opacity: 0.9,
                    fillColor: '#1d3d5c', fillOpacity: 0.55};
        },
        districtHover: function (feature, context) {
            return {weight: 3, color: '#9fd4ff', fillOpacity: 0.7};
        },
        districtTooltip: function (feature, layer, context) {
            const hideout = (context && context.hideout) || {};
            const props = feature.properties || {};
            const name = hideout.language === 'en' ? props.name_en : props.name_zh;
            if (name) {
                layer.bindTooltip(name, {permanent: true, direction: 'center',
                                         className: 'district-label'});
            }
        }
    }
});
