using System.Globalization;
using System.Text.Json;

namespace KeyRotation.Function;

/// <summary>The SQS event of the continuation queue: the batch's shape is checked as a whole, each body on its own.</summary>
internal sealed partial record InvocationEvent
{
    /// <summary>
    /// A batch whose shape is wrong (not SQS records, a record without a message id) is refused whole; a record whose
    /// body is not a continuation message keeps its problem, so only that message is reported failed (and, after the
    /// queue's receive limit, moves to the dead-letter queue) while the others are rotated.
    /// </summary>
    private static InvocationEvent ParseQueueRecords(JsonElement root)
    {
        if (root.EnumerateObject().Any(p => p.Name != "Records"))
        {
            throw new InvalidEventException("An SQS event has only \"Records\".");
        }

        var records = root.GetProperty("Records");
        if (records.ValueKind != JsonValueKind.Array || records.GetArrayLength() == 0)
        {
            throw new InvalidEventException($"\"Records\" must be a non-empty array of SQS messages, not {(records.ValueKind == JsonValueKind.Array ? "an empty array" : Describe(records.ValueKind))}.");
        }

        var continuations = new List<QueuedContinuation>();
        foreach (var record in records.EnumerateArray())
        {
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidEventException($"\"Records\" must hold SQS messages (objects), not {Describe(record.ValueKind)}.");
            }

            var source = record.TryGetProperty("eventSource", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (source != "aws:sqs")
            {
                throw new InvalidEventException($"Only SQS records (\"eventSource\": \"aws:sqs\") from the continuation queue are accepted, not {(source is null ? "a record without eventSource" : $"\"{source}\"")}.");
            }

            var messageId = StringProperty(record, "messageId", "an SQS record");
            if (!record.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.String)
            {
                throw new InvalidEventException($"The SQS record {messageId} needs \"body\" as a string.");
            }

            var receiveCount = record.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object
                && attributes.TryGetProperty("ApproximateReceiveCount", out var count) && count.ValueKind == JsonValueKind.String
                && int.TryParse(count.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : (int?)null;
            try
            {
                continuations.Add(new QueuedContinuation(messageId, ContinuationMessage.Parse(body.GetString()!), null, receiveCount));
            }
            catch (InvalidEventException ex)
            {
                continuations.Add(new QueuedContinuation(messageId, null, ex.Message, receiveCount));
            }
        }

        return new InvocationEvent { Kind = InvocationKind.Continuation, Continuations = continuations };
    }
}

/// <summary>One SQS message of a continuation batch: its parsed body, or why it is not one.</summary>
internal sealed record QueuedContinuation(string MessageId, ContinuationMessage? Message, string? Problem, int? ReceiveCount);
