-- csv_split() on lines whose fields are known: each of its three paths
-- (no quote, well-formed quoting, a stray quote) gives the fields listed.
-- A row here is a line split wrongly.
with

cases as (
    select
        listed.line,
        listed.expected_fields
    from (
        values
        -- no quote: split on commas, empty fields kept
        ('a,b,c', ['a', 'b', 'c']),
        (',x,y', ['', 'x', 'y']),
        ('x,,', ['x', '', '']),
        ('', ['']),
        -- well-formed quoting: commas and doubled quotes inside quotes
        ('"a,b",c', ['a,b', 'c']),
        ('a,"b ""quoted"", x",c', ['a', 'b "quoted", x', 'c']),
        ('"",""""', ['', '"']),
        (
            '"{""team"":""search"",""env"":""prod""}",1.5',
            ['{"team":"search","env":"prod"}', '1.5']
        ),
        (',"x",', ['', 'x', '']),
        -- a stray quote inside an unquoted field stays a character
        ('ab"c,d', ['ab"c', 'd']),
        ('x,5" screen,y', ['x', '5" screen', 'y'])
    ) as listed (line, expected_fields)
),

split as (
    select
        line,
        expected_fields,
        {{ csv_split('line') }} as split_fields
    from cases
),

final as (
    select *
    from split
    where split_fields is distinct from expected_fields
)

select * from final
