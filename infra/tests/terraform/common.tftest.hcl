# Plan-level checks of one synthesized stack (staging or production: the addresses are the same),
# against a mocked AWS provider: every reference must resolve and the stack must create what
# infra/README.md lists. Run by tests/terraform.test.ts in a copy of each stack.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "queues" {
  command = apply

  assert {
    condition     = jsondecode(aws_sqs_queue.queue_140BE0E7.redrive_policy).deadLetterTargetArn == aws_sqs_queue.queue_dlq_441322FF.arn
    error_message = "The main queue must redrive into the dead-letter queue."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.queue_140BE0E7.redrive_policy).maxReceiveCount >= 5
    error_message = "maxReceiveCount must be at least 5."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.queue_dlq-redrive-allow_9C08FCEB.redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.queue_140BE0E7.arn]
    error_message = "Only the main queue may redrive into the dead-letter queue."
  }
}

run "dashboard" {
  command = apply

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.monitoring_dashboard_4CE328EF.dashboard_body).widgets) == 10
    error_message = "The dashboard body must be JSON with ten widgets."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_dashboard.monitoring_dashboard_4CE328EF.dashboard_body).widgets[0].properties.metrics[0][0].expression == "SEARCH('Namespace=\"lakeload\" MetricName=\"FilesLoaded\"', 'Sum', 300)"
    error_message = "The first widget must SEARCH the exact namespace and metric name (double quotes kept)."
  }
}

run "what_readme_lists" {
  command = apply

  # Network: the S3 gateway endpoint and only the interface endpoints the code calls.
  assert {
    condition     = aws_vpc_endpoint.network_s3-endpoint_3093E6A5.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.network_s3-endpoint_3093E6A5.route_table_ids == toset([aws_route_table.network_private-routes_E5BE4D6F.id])
    error_message = "S3 must be reached through a gateway endpoint on the private route table."
  }
  assert {
    condition     = endswith(aws_vpc_endpoint.network_redshift-data-endpoint_ACDB28CE.service_name, ".redshift-data") && endswith(aws_vpc_endpoint.network_sns-endpoint_D806CB56.service_name, ".sns")
    error_message = "The Data API and SNS interface endpoints must exist."
  }
  assert {
    condition     = length(aws_lambda_function.loader_function_D2F35E59.vpc_config[0].subnet_ids) == 3
    error_message = "The function must run in the three private subnets."
  }

  # Security Hub EC2.2 and EC2.6.
  assert {
    condition     = aws_default_security_group.network_default-sg_0F35F98C.vpc_id == aws_vpc.network_vpc_4E8F0223.id && length(aws_default_security_group.network_default-sg_0F35F98C.ingress) == 0 && length(aws_default_security_group.network_default-sg_0F35F98C.egress) == 0
    error_message = "The VPC's default security group must have no rules (EC2.2)."
  }
  assert {
    condition     = aws_flow_log.network_flow-log_4CEF6CCF.vpc_id == aws_vpc.network_vpc_4E8F0223.id && aws_flow_log.network_flow-log_4CEF6CCF.traffic_type == "ALL" && aws_flow_log.network_flow-log_4CEF6CCF.log_destination == aws_cloudwatch_log_group.network_flow-log-group_73759AFD.arn
    error_message = "The VPC must log all traffic into its flow-log group (EC2.6)."
  }

  # Bucket: SSE-KMS with the key, versioned, access logs into the log bucket (S3.9), notification → queue.
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.data_encryption_BAF4D4CD.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.encryption_key_EEB70057.arn
    error_message = "The landing bucket must be encrypted with the stack's key."
  }
  assert {
    condition     = aws_s3_bucket_logging.data_access-logging_22034676.bucket == aws_s3_bucket.data_bucket_F0368B94.id && aws_s3_bucket_logging.data_access-logging_22034676.target_bucket == aws_s3_bucket.data_access-log-bucket_05BE82A3.id
    error_message = "The landing bucket must log server access into the access-log bucket (S3.9)."
  }
  assert {
    condition     = aws_s3_bucket_notification.data_notification_CDD8FFBB.queue[0].queue_arn == aws_sqs_queue.queue_140BE0E7.arn
    error_message = "New objects must be announced on the main queue."
  }

  # Lambda: consumes the queue with partial batch failures; role, key and log group wired.
  assert {
    condition     = aws_lambda_event_source_mapping.loader_queue-source_69F65A11.event_source_arn == aws_sqs_queue.queue_140BE0E7.arn && aws_lambda_event_source_mapping.loader_queue-source_69F65A11.function_name == aws_lambda_function.loader_function_D2F35E59.arn && contains(aws_lambda_event_source_mapping.loader_queue-source_69F65A11.function_response_types, "ReportBatchItemFailures")
    error_message = "The function must consume the main queue with partial batch failures."
  }
  assert {
    condition     = aws_lambda_function.loader_function_D2F35E59.role == aws_iam_role.loader_role_64E6A16E.arn && aws_lambda_function.loader_function_D2F35E59.kms_key_arn == aws_kms_key.encryption_key_EEB70057.arn
    error_message = "The function must run as its role with its environment under the stack's key."
  }
  assert {
    condition     = aws_lambda_function.loader_function_D2F35E59.environment[0].variables.LAKELOAD_COPY_ROLE_ARN == aws_iam_role.warehouse_copy-role_9A014321.arn && aws_lambda_function.loader_function_D2F35E59.environment[0].variables.LAKELOAD_SNS_TOPIC_ARN == aws_sns_topic.notifications_topic_9813ADB4.arn
    error_message = "The function's environment must name the COPY role and the topic the stack creates."
  }

  # Warehouse: CMK namespace, the COPY role as default, private workgroup requiring TLS.
  assert {
    condition     = aws_redshiftserverless_namespace.warehouse_namespace_B7079888.kms_key_id == aws_kms_key.encryption_key_EEB70057.arn && aws_redshiftserverless_namespace.warehouse_namespace_B7079888.default_iam_role_arn == aws_iam_role.warehouse_copy-role_9A014321.arn
    error_message = "The namespace must use the stack's key and the COPY role."
  }
  assert {
    condition     = aws_redshiftserverless_workgroup.warehouse_workgroup_69043453.namespace_name == aws_redshiftserverless_namespace.warehouse_namespace_B7079888.namespace_name && aws_redshiftserverless_workgroup.warehouse_workgroup_69043453.publicly_accessible == false && contains([for p in aws_redshiftserverless_workgroup.warehouse_workgroup_69043453.config_parameter : "${p.parameter_key}=${p.parameter_value}"], "require_ssl=true")
    error_message = "The workgroup must be private, in its namespace, and require TLS."
  }

  # Monitoring: every alarm notifies the topic.
  assert {
    condition     = alltrue([for a in [aws_cloudwatch_metric_alarm.monitoring_dlq-messages_0AB5337E, aws_cloudwatch_metric_alarm.monitoring_lambda-duration_36128507, aws_cloudwatch_metric_alarm.monitoring_lambda-errors_8080CDBB, aws_cloudwatch_metric_alarm.monitoring_lambda-throttles_7D6709A8, aws_cloudwatch_metric_alarm.monitoring_queue-age_B20B73CA] : a.alarm_actions == toset([aws_sns_topic.notifications_topic_9813ADB4.arn])])
    error_message = "Every alarm must notify the topic."
  }
}
