-- Findings of docs/DATA.md §4 that do not refuse the extract: table, column, rule, rows, examples.
-- They describe the whole extract (the examples are rows of any station), so a restricted
-- scope (docs/DATA.md §8) gets none.
-- $scope (a Scope STRUCT)
with findings as (
    select * from findings
    where sees_whole_extract($scope)
),

final as (
    select table_name, column_name, rule, rows, examples from findings
)

select * from final order by rows desc, table_name, column_name
