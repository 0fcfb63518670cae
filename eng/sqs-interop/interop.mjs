// Interop driver for the Correlation.Messaging.Sqs tests, using the official AWS SDK for JavaScript v3.
//   node interop.mjs send    <endpoint> <queueUrl> <correlationId> <body>   -> prints {"MessageId": "..."}
//   node interop.mjs receive <endpoint> <queueUrl> <count>                  -> prints one JSON object per message, deletes them
// Credentials and region: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION from the environment (any values for an emulator).
import { SQSClient, SendMessageCommand, ReceiveMessageCommand, DeleteMessageCommand } from "@aws-sdk/client-sqs";

const [command, endpoint, queueUrl, arg, body] = process.argv.slice(2);
const client = new SQSClient({ endpoint, region: process.env.AWS_REGION || "us-east-1" });

if (command === "send") {
  const result = await client.send(new SendMessageCommand({
    QueueUrl: queueUrl,
    MessageBody: body ?? "from-js",
    MessageAttributes: { "X-Correlation-ID": { DataType: "String", StringValue: arg } },
  }));
  console.log(JSON.stringify({ MessageId: result.MessageId }));
} else if (command === "receive") {
  const wanted = Number(arg || 1);
  let received = 0;
  const deadline = Date.now() + 20000;
  while (received < wanted && Date.now() < deadline) {
    const result = await client.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, wanted - received),
      WaitTimeSeconds: 1,
      MessageAttributeNames: ["All"],
    }));
    for (const m of result.Messages ?? []) {
      const attributes = {};
      for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
        attributes[name] = value.StringValue;
      }
      console.log(JSON.stringify({ MessageId: m.MessageId, Body: m.Body, Attributes: attributes }));
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      received++;
    }
  }
} else {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
