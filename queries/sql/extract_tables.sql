-- The extract's files: table, file, rows and size (for the data-quality view). They describe
-- the whole extract, so a restricted scope (docs/DATA.md §8) gets none.
-- $scope (a Scope STRUCT)
with files as (
    select * from extract_files
    where sees_whole_extract($scope)
),

final as (
    select table_name, file, rows, bytes from files
)

select * from final order by table_name, file
