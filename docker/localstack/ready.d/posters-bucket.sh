#!/bin/sh
# LocalStack runs this once it is ready (docker-compose.yml mounts this folder
# at /etc/localstack/init/ready.d): the bucket the nodes keep event posters in
# (TICKR_POSTER_S3_BUCKET). Making a bucket that exists already is harmless.
set -e
awslocal s3 mb s3://tickr-posters || awslocal s3api head-bucket --bucket tickr-posters
