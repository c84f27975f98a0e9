using System.Text.Json;

namespace KeyRotation.Function.Tests;

/// <summary>The SQS event of the continuation queue and the continuation message body, read by InvocationEvent.</summary>
public sealed class ContinuationEventTests
{
    [Fact]
    public async Task ReadAsync_SqsSample_IsAContinuationWithItsMessage()
    {
        await using var input = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "events", "continuation-sqs.json"));

        var parsed = await InvocationEvent.ReadAsync(input, CancellationToken.None);

        Assert.Equal(InvocationKind.Continuation, parsed.Kind);
        var record = Assert.Single(parsed.Continuations!);
        Assert.Equal(("19dd0b57-b21e-4ac1-bd88-01bbb068cb78", 1, (string?)null), (record.MessageId, record.ReceiveCount, record.Problem));
        Assert.Equal(
            new ContinuationMessage { RotationId = "rot-20261201T030000Z-1a2b3c4d", Alias = "alias/app-data", ScheduleSlot = new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero) },
            record.Message);
    }

    [Fact]
    public void ContinuationMessage_WrittenThenRead_IsTheSame()
    {
        var message = new ContinuationMessage { RotationId = "rot-1", Alias = "alias/prod/orders", ScheduleSlot = new DateTimeOffset(2027, 1, 1, 3, 0, 0, TimeSpan.Zero), DryRun = true, Force = true, ChangeOrigin = true };

        Assert.Equal(message, ContinuationMessage.Parse(message.ToJson()));
    }

    [Theory]
    [InlineData("""{"Records":[{"eventSource":"aws:sns","messageId":"m1","body":"{}"}]}""", "\"aws:sns\"")]
    [InlineData("""{"Records":[{"eventSource":"aws:sqs","body":"{}"}]}""", "\"messageId\"")]
    [InlineData("""{"Records":[{"eventSource":"aws:sqs","messageId":"m1"}]}""", "m1 needs \"body\"")]
    [InlineData("""{"Records":[]}""", "an empty array")]
    [InlineData("""{"Records":[],"aliases":[]}""", "only \"Records\"")]
    public void Parse_EventThatIsNotAnSqsBatch_IsRefusedWhole(string json, string named)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<InvalidEventException>(() => InvocationEvent.Parse(document.RootElement));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"alias":"alias/a"}""", "\"rotationId\"")]
    [InlineData("""{"rotationId":"r","alias":"alias/aws/ebs"}""", "alias/aws/ebs")]
    [InlineData("""{"rotationId":"r","alias":"alias/a","scheduleSlot":"yesterday"}""", "\"scheduleSlot\"")]
    [InlineData("""{"rotationId":"r","alias":"alias/a","force":"yes"}""", "\"force\"")]
    [InlineData("""{"rotationId":"r","alias":"alias/a","aliases":[]}""", "no field \"aliases\"")]
    public void Parse_RecordWhoseBodyIsNotAContinuationMessage_KeepsItsProblemAndTheOtherRecords(string body, string named)
    {
        var json = JsonSerializer.Serialize(new
        {
            Records = new[]
            {
                new { eventSource = "aws:sqs", messageId = "bad", body },
                new { eventSource = "aws:sqs", messageId = "good", body = """{"rotationId":"r","alias":"alias/a"}""" },
            },
        });
        using var document = JsonDocument.Parse(json);

        var parsed = InvocationEvent.Parse(document.RootElement);

        var bad = parsed.Continuations![0];
        Assert.Null(bad.Message);
        Assert.Contains(named, bad.Problem, StringComparison.Ordinal);
        Assert.Equal("alias/a", parsed.Continuations[1].Message!.Alias);
    }
}
