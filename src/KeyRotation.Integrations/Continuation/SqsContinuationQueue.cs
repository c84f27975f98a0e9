using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using KeyRotation.Core.Continuation;

namespace KeyRotation.Integrations.Continuation;

/// <summary>
/// The continuation queue in SQS: SendMessageBatch, ten messages a call (authorized as sqs:SendMessage on the queue).
/// Each message also carries its alias and rotation id as message attributes, so the dead-letter queue can be read
/// without parsing bodies.
/// </summary>
internal sealed class SqsContinuationQueue(IAmazonSQS sqs, Uri queueUrl) : IContinuationQueue
{
    /// <summary>SQS's largest batch and longest delay.</summary>
    private const int BatchSize = 10;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(900);

    public async Task<IReadOnlyDictionary<string, string>> SendAsync(IReadOnlyList<ContinuationEnvelope> messages, TimeSpan delay, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var seconds = (int)Math.Ceiling(Math.Clamp(delay.TotalSeconds, 0, MaxDelay.TotalSeconds));
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in messages.Chunk(BatchSize))
        {
            var request = new SendMessageBatchRequest
            {
                QueueUrl = queueUrl.ToString(),
                Entries = [.. chunk.Select((m, i) => new SendMessageBatchRequestEntry
                {
                    Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    MessageBody = m.Body,
                    DelaySeconds = seconds,
                    MessageAttributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal)
                    {
                        ["alias"] = new() { DataType = "String", StringValue = m.Alias },
                        ["rotationId"] = new() { DataType = "String", StringValue = m.RotationId },
                    },
                })],
            };
            try
            {
                var response = await sqs.SendMessageBatchAsync(request, ct);
                foreach (var failed in response.Failed ?? [])
                {
                    failures[chunk[int.Parse(failed.Id, System.Globalization.CultureInfo.InvariantCulture)].Alias] = $"{failed.Code}: {failed.Message}";
                }
            }
            catch (Exception ex) when (ex is AmazonClientException or HttpRequestException)
            {
                var why = ex is AmazonServiceException service ? $"{service.ErrorCode}: {service.Message}" : ex.Message;
                foreach (var message in chunk)
                {
                    failures[message.Alias] = why;
                }
            }
        }

        return failures;
    }
}
