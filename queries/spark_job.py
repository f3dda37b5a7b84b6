"""The Spark build as a job for spark-submit (docs/DATA.md §9):

    spark-submit --master yarn --deploy-mode client [--packages …] \\
        "$(python -c 'import queries.spark_job as j; print(j.__file__)')" \\
        --data hdfs://namenode/fee/extract [--cache DIR]

It is `python -m queries build --engine spark` with spark-submit's master, memory, packages
and configuration: the driver (client mode) keeps the cache; the executors run Spark SQL and
read Parquet only, so they need no Python packages.
"""

import sys

from queries.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["build", "--engine", "spark", *sys.argv[1:]]))
