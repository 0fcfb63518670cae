// Local SQS emulator (npm local-aws-sqs) for the integration tests; started by eng/brokers.sh.
// Speaks the SQS JSON protocol (AWSSDK.SQS >= 3.7.300 / 4.x) and the Query protocol.
// Environment: SQS_HOST (default 127.0.0.1), SQS_PORT (default 9324).
import { ServerResponse } from "node:http";
import { createSqsServer } from "local-aws-sqs";

// local-aws-sqs answers some JSON-protocol calls (a ReceiveMessage that found nothing, DeleteMessage,
// ChangeMessageVisibility, ...) with an empty body. Real SQS answers "{}", and the AWS SDK for .NET 4.x fails to
// unmarshal an empty ReceiveMessage response, so an empty successful JSON-protocol answer becomes "{}" here.
const end = ServerResponse.prototype.end;
ServerResponse.prototype.end = function (chunk, ...rest) {
  const empty = chunk === undefined || chunk === null || chunk === "" || typeof chunk === "function";
  if (empty && !this.headersSent && this.statusCode === 200
      && String(this.getHeader("content-type") || "").startsWith("application/x-amz-json")) {
    return typeof chunk === "function" ? end.call(this, "{}", chunk) : end.call(this, "{}", ...rest);
  }
  return end.call(this, chunk, ...rest);
};

const hostname = process.env.SQS_HOST || "127.0.0.1";
const port = Number(process.env.SQS_PORT || 9324);

const server = await createSqsServer({
  port,
  hostname,
  // Tests create and delete queues freely; do not enforce AWS's 60 s re-create wait.
  emulateQueueCreationLifecycle: false,
});

console.error(`sqs emulator listening on http://${hostname}:${port}`);

// In-memory emulator: nothing to flush, stop at once.
const stop = (signal) => {
  console.error(`sqs emulator: ${signal}, exiting`);
  process.exit(0);
};
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
