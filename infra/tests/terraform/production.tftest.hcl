# Values only the production stack has (run with common.tftest.hcl).

mock_provider "aws" {
  source = "./tests/mocks"
}

run "production_sizes" {
  command = apply

  assert {
    condition     = aws_lambda_function.loader_function_D2F35E59.reserved_concurrent_executions == 20
    error_message = "Production reserves 20 (the deploy's pre-flight checks the account quota first)."
  }
  assert {
    condition     = jsondecode(aws_sns_topic_subscription.notifications_email-0_F38D989F.filter_policy) == { event_type = ["failed", { exists = false }] }
    error_message = "On-call must receive failures and alarms only."
  }
  assert {
    condition     = aws_redshiftserverless_workgroup.warehouse_workgroup_69043453.base_capacity == 32
    error_message = "Production's base capacity is 32 RPU."
  }
}
