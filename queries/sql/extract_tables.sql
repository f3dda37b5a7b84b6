-- The extract's files: table, file, rows and size (for the data-quality view).
-- (no parameters)
with files as (
    select * from extract_files
),

final as (
    select table_name, file, rows, bytes from files
)

select * from final order by table_name, file
