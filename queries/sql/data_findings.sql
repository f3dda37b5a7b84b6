-- Findings of CONTRACT §4 that do not refuse the extract: table, column, rule, rows, examples.
-- (no parameters)
with findings as (
    select * from findings
),

final as (
    select table_name, column_name, rule, rows, examples from findings
)

select * from final order by rows desc, table_name, column_name
