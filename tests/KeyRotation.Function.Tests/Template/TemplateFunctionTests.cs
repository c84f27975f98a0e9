using System.Reflection;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Function.Tests.Template;

public sealed class TemplateFunctionTests
{
    [Fact]
    public void Handler_ResolvedAsTheManagedRuntimeDoes_IsAPublicStreamToTaskOfStreamMethod()
    {
        var handler = (string)RotationStack.Function["Handler"]!;
        var parts = handler.Split("::");
        Assert.Equal(3, parts.Length);

        var assembly = Assembly.Load(new AssemblyName(parts[0]));
        var type = assembly.GetType(parts[1], throwOnError: true)!;
        Assert.True(type.IsPublic && type.IsClass && !type.IsAbstract, $"{type} must be a public concrete class");
        Assert.NotNull(type.GetConstructor(Type.EmptyTypes));

        var method = Assert.Single(type.GetMethods(BindingFlags.Public | BindingFlags.Instance), m => m.Name == parts[2]);
        Assert.Equal([typeof(Stream)], method.GetParameters().Select(p => p.ParameterType));
        Assert.Equal(typeof(Task<Stream>), method.ReturnType);
    }

    [Fact]
    public void Handler_InTemplate_NamesTheHandlerClassOfTheFunctionProject()
    {
        var expected = $"{typeof(Handler).Assembly.GetName().Name}::{typeof(Handler).FullName}::{nameof(Handler.HandleAsync)}";

        Assert.Equal(expected, RotationStack.Function["Handler"]);
    }

    [Fact]
    public void CodeUri_InTemplate_IsTheFunctionProjectFolder()
    {
        var codeUri = (string)RotationStack.Function["CodeUri"]!;

        Assert.Equal("src/KeyRotation.Function/", codeUri);
        Assert.True(File.Exists(RepositoryFiles.PathOf(Path.Combine(codeUri, "KeyRotation.Function.csproj"))));
    }

    [Fact]
    public void Runtime_InTemplate_IsDotnet10OnArm64()
    {
        Assert.Equal("dotnet10", RotationStack.FunctionSetting("Runtime"));
        Assert.Equal(["arm64"], CloudFormationTemplate.List(RotationStack.FunctionSetting("Architectures")));
    }

    [Fact]
    public void Environment_InTemplate_SetsExactlyTheVariablesTheFunctionReads()
    {
        var set = RotationStack.Environment.Keys.Order(StringComparer.Ordinal);

        Assert.Equal(FunctionEnvironment.All.Order(StringComparer.Ordinal), set);
    }

    [Fact]
    public void FunctionTimeoutSeconds_InTemplate_IsTheSameValueAsTheFunctionTimeout()
    {
        var timeout = RotationStack.FunctionSetting("Timeout");
        var variable = RotationStack.Environment[SettingNames.FunctionTimeoutSeconds];

        Assert.Equal("Fn::FindInMap", CloudFormationTemplate.Intrinsic(timeout)?.Name);
        Assert.Equal<object?>(timeout, variable, new IntrinsicComparer());
        var seconds = int.Parse((string)RotationStack.Resolve(timeout)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 60, 900);
    }

    [Fact]
    public void NotificationTopicArn_WithoutCentralTopic_IsTheStacksOwnTopic()
    {
        var resolved = TemplateConditions.Resolve(RotationStack.Template, RotationStack.Environment[SettingNames.NotificationTopicArn], new Dictionary<string, string>());

        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "NotificationTopic" }, resolved, new IntrinsicComparer());
    }

    [Fact]
    public void NotificationTopicArn_WithCentralTopic_IsTheCentralTopic()
    {
        const string Central = "arn:aws:sns:eu-west-1:999988887777:key-rotation-hub";
        var parameters = new Dictionary<string, string> { ["CentralNotificationTopicArn"] = Central };

        var resolved = TemplateConditions.Resolve(RotationStack.Template, RotationStack.Environment[SettingNames.NotificationTopicArn], parameters);

        Assert.Equal(Central, resolved);
    }

    [Fact]
    public void ReservedConcurrentExecutions_InTemplate_IsOne()
    {
        Assert.Equal("1", RotationStack.Function["ReservedConcurrentExecutions"]);
    }

    [Fact]
    public void LogGroup_OfFunction_IsTheStackLogGroupWithTheRetentionParameter()
    {
        var logging = CloudFormationTemplate.Map(RotationStack.Function["LoggingConfig"]);
        var logGroupRef = CloudFormationTemplate.Intrinsic(logging["LogGroup"]);
        Assert.Equal("Ref", logGroupRef?.Name);

        var logGroup = CloudFormationTemplate.Map(RotationStack.Template.Resources[(string)logGroupRef!.Value.Argument!]);
        Assert.Equal("AWS::Logs::LogGroup", logGroup["Type"]);
        Assert.Equal<object?>(
            new Dictionary<string, object?> { ["Ref"] = "LogRetentionInDays" },
            CloudFormationTemplate.Map(logGroup["Properties"])["RetentionInDays"],
            new IntrinsicComparer());
    }

    [Fact]
    public void EventInvokeConfig_OnFailure_SendsToTheDeadLetterQueue()
    {
        var config = CloudFormationTemplate.Map(RotationStack.Function["EventInvokeConfig"]);
        var onFailure = CloudFormationTemplate.Map(CloudFormationTemplate.Map(config["DestinationConfig"])["OnFailure"]);

        Assert.Equal("SQS", onFailure["Type"]);
        Assert.Equal<object?>(DeadLetterQueueArn, onFailure["Destination"], new IntrinsicComparer());
        Assert.NotNull(config["MaximumRetryAttempts"]);
    }

    internal static readonly Dictionary<string, object?> DeadLetterQueueArn = new()
    {
        ["Fn::GetAtt"] = new List<object?> { "DeadLetterQueue", "Arn" },
    };
}

/// <summary>Structural equality of plain template trees.</summary>
internal sealed class IntrinsicComparer : IEqualityComparer<object?>
{
    public new bool Equals(object? x, object? y) => (x, y) switch
    {
        (Dictionary<string, object?> a, Dictionary<string, object?> b) =>
            a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var other) && Equals(pair.Value, other)),
        (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(pair => Equals(pair.First, pair.Second)),
        _ => object.Equals(x, y),
    };

    public int GetHashCode(object? obj) => 0;
}
