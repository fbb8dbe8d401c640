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
