using System.Globalization;
using KeyRotation.Core.Configuration;
using KeyRotation.Function.Tests.Iam;

namespace KeyRotation.Function.Tests.Template;

/// <summary>
/// The continuation queue in template.yaml: redrive to its own dead-letter queue with an alarm, consumed by the rotation
/// function with ReportBatchItemFailures, and the role's SQS rights limited to it (checked on the SAM-translated stack).
/// </summary>
public sealed class TemplateContinuationTests
{
    private static readonly Dictionary<string, object?> QueueArn = new() { ["Fn::GetAtt"] = new List<object?> { "ContinuationQueue", "Arn" } };

    [Fact]
    public void ContinuationQueue_InTemplate_RedrivesToItsOwnDeadLetterQueueAfterRetries_AndOutlivesARun()
    {
        var queue = RotationStack.Template.Properties("ContinuationQueue");
        var redrive = CloudFormationTemplate.Map(queue["RedrivePolicy"]);

        Assert.Equal<object?>(
            new Dictionary<string, object?> { ["Fn::GetAtt"] = new List<object?> { "ContinuationDeadLetterQueue", "Arn" } },
            redrive["deadLetterTargetArn"],
            new IntrinsicComparer());
        Assert.InRange(int.Parse((string)redrive["maxReceiveCount"]!, CultureInfo.InvariantCulture), 5, 20);
        var timeout = int.Parse((string)RotationStack.Resolve(RotationStack.FunctionSetting("Timeout"))!, CultureInfo.InvariantCulture);
        Assert.True(int.Parse((string)queue["VisibilityTimeout"]!, CultureInfo.InvariantCulture) >= timeout, "an event source needs a visibility timeout of at least the function's timeout");
        Assert.Equal("true", queue["SqsManagedSseEnabled"]);
        Assert.Equal("AWS::SQS::Queue", CloudFormationTemplate.Map(RotationStack.Template.Resources["ContinuationDeadLetterQueue"])["Type"]);
    }

    [Fact]
    public void ContinuationDeadLetterQueueAlarm_InTemplate_WatchesThatQueueAndNotifiesTheAlarmTopic()
    {
        var alarm = RotationStack.Template.Properties("ContinuationDeadLetterQueueAlarm");
        var dimension = CloudFormationTemplate.Map(Assert.Single(CloudFormationTemplate.List(alarm["Dimensions"])));

        Assert.Equal("ApproximateNumberOfMessagesVisible", alarm["MetricName"]);
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Fn::GetAtt"] = new List<object?> { "ContinuationDeadLetterQueue", "QueueName" } }, dimension["Value"], new IntrinsicComparer());
        Assert.Equal<object?>(new List<object?> { new Dictionary<string, object?> { ["Ref"] = "AlarmTopic" } }, alarm["AlarmActions"], new IntrinsicComparer());
    }

    [Fact]
    public void RotationFunction_InTemplate_ConsumesTheContinuationQueueWithReportBatchItemFailures_AndKnowsItsUrl()
    {
        var events = CloudFormationTemplate.Map(RotationStack.Function["Events"]);
        var source = CloudFormationTemplate.Map(events["Continuation"]);
        var properties = CloudFormationTemplate.Map(source["Properties"]);

        Assert.Equal("SQS", source["Type"]);
        Assert.Equal<object?>(QueueArn, properties["Queue"], new IntrinsicComparer());
        Assert.Equal(["ReportBatchItemFailures"], CloudFormationTemplate.List(properties["FunctionResponseTypes"]));
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "ContinuationQueue" }, RotationStack.Environment[SettingNames.ContinuationQueueUrl], new IntrinsicComparer());
    }

    [Fact]
    public void SamTranslation_ContinuationEvent_IsAnEventSourceMappingReportingBatchItemFailures()
    {
        var mapping = SamTranslation.Template["Resources"]!.AsObject()
            .Select(r => r.Value!.AsObject())
            .Single(r => (string?)r["Type"] == "AWS::Lambda::EventSourceMapping");
        var properties = mapping["Properties"]!;

        Assert.Equal("ContinuationQueue", (string?)properties["EventSourceArn"]!["Fn::GetAtt"]![0]);
        Assert.Equal("RotationFunction", (string?)properties["FunctionName"]!["Ref"]);
        Assert.Equal(["ReportBatchItemFailures"], properties["FunctionResponseTypes"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public void Role_SqsSendMessage_OnlyOnTheContinuationQueueAndTheFailureDeadLetterQueue()
    {
        var stack = RotationRole.Stack;
        var kms = RotationRole.Kms(stack);
        string Arn(string queue) => $"arn:aws:sqs:{StackInstance.Region}:{StackInstance.AccountId}:{StackInstance.StackName}-{queue}";
        bool Allows(string action, string resource) =>
            kms.AllowsByIam(new IamRequest(stack.RoleArn, action, resource, new Dictionary<string, IReadOnlyList<string>>()));

        Assert.True(Allows("sqs:SendMessage", Arn("ContinuationQueue")));
        Assert.False(Allows("sqs:SendMessage", Arn("ContinuationDeadLetterQueue")));
        Assert.False(Allows("sqs:SendMessage", Arn("OtherQueue")));
        Assert.True(Allows("sqs:ReceiveMessage", Arn("ContinuationQueue")));
        Assert.True(Allows("sqs:DeleteMessage", Arn("ContinuationQueue")));
        Assert.False(Allows("sqs:ReceiveMessage", Arn("DeadLetterQueue")));
        Assert.False(Allows("sqs:ReceiveMessage", Arn("ContinuationDeadLetterQueue")));
        Assert.False(Allows("sqs:PurgeQueue", Arn("ContinuationQueue")));

        var sendStatements = RotationStack.FunctionStatements.Where(s => RotationStack.Actions(s).Any(a => a.StartsWith("sqs:Send", StringComparison.Ordinal))).ToList();
        Assert.Equal(["SendContinuationMessages", "SendFailedInvocationsToDeadLetterQueue"], sendStatements.Select(s => (string)s["Sid"]!).Order(StringComparer.Ordinal));
        Assert.Equal<object?>(QueueArn, sendStatements.Single(s => (string)s["Sid"]! == "SendContinuationMessages")["Resource"], new IntrinsicComparer());
    }
}
