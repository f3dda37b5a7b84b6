-- The choices of each filter, from the data: the stations in $scope; the villages, lines,
-- categories and collectors within the chosen $stations ('' stands for a null village, line or collector).
-- $scope (a Scope STRUCT: what may be offered at all), $stations VARCHAR[] (chosen so far)
with visible as (
    select * from scoped_segments($scope)
),

chosen as (
    select * from visible
    where len($stations) = 0 or list_contains($stations, station)
),

final as (
    select distinct 'station' as dimension, station as value from visible
    union all
    select distinct 'village', coalesce(village, '') from chosen
    union all
    select distinct 'line', coalesce(line, '') from chosen
    union all
    select distinct 'category', category from chosen
    union all
    select distinct 'collector', coalesce(meter_reader, '') from chosen
)

select * from final order by dimension, value = '', value
