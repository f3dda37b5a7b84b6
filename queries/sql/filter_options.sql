-- The choices of each filter, from the data: all stations; the villages, lines and
-- categories within the chosen stations ('' stands for a null village or line).
-- $stations VARCHAR[]
with chosen as (
    select * from segments
    where len($stations) = 0 or list_contains($stations, station)
),

final as (
    select distinct 'station' as dimension, station as value from segments
    union all
    select distinct 'village', coalesce(village, '') from chosen
    union all
    select distinct 'line', coalesce(line, '') from chosen
    union all
    select distinct 'category', category from chosen
)

select * from final order by dimension, value = '', value
