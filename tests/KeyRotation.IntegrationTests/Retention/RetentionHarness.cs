using System.Text;
using System.Text.Json;
using KeyRotation.Core.Configuration;
using KeyRotation.Function;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>
/// A <see cref="RotationWorld"/> with an alias rotated into a chain of generations 30 days apart, and the real retention
/// handler composed on the same LocalKms, SNS double and fake clock.
/// </summary>
internal sealed class RetentionHarness : IDisposable
{
    public const string Alias = "alias/orders";

    public RotationWorld World { get; } = new();

    /// <summary>Key ids of the alias's generations, oldest (generation 1) first.</summary>
    public List<string> Generations { get; } = [];

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal)
    {
        [SettingNames.RotationAliases] = Alias,
        [SettingNames.NotificationTopicArn] = RotationWorld.TopicArn,
        [SettingNames.RetentionMode] = "disable-then-delete",
        [SettingNames.RetainGenerations] = "1",
        [SettingNames.DisableAfterDays] = "30",
        [SettingNames.DeleteAfterDays] = "90",
        [SettingNames.PendingWindowDays] = "7",
    };

    /// <summary>Creates the alias's first key, then rotates it until it has <paramref name="generations"/> generations, 30 days apart.</summary>
    public async Task<RetentionHarness> WithGenerationsAsync(int generations, string alias = Alias)
    {
        var first = await World.CreateAliasedKeyAsync(alias);
        if (alias == Alias)
        {
            Generations.Add(first.KeyId);
        }

        for (var i = 1; i < generations; i++)
        {
            await RotateAsync(alias);
            World.Time.Advance(TimeSpan.FromDays(30));
        }

        return this;
    }

    public async Task RotateAsync(string alias = Alias)
    {
        var response = await World.InvokeAsync("{}", alias);
        var result = response.GetProperty("results")[0];
        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        if (alias == Alias)
        {
            Generations.Add(result.GetProperty("newKeyId").GetString()!);
        }
    }

    /// <summary>The consumer services' clients the handler's inventory uses (RETIRE_CHECK_CONSUMERS); null: none supplied.</summary>
    public Integrations.Consumers.ConsumerClients? ConsumerClients { get; set; }

    /// <summary>Invokes the real retention handler (built per invocation, as a new container would be).</summary>
    public async Task<JsonElement> InvokeAsync(string json = "{}")
    {
        var handler = new RetentionHandler(Environment, World.Client, World.Notifier, World.Time, World.Output, regionClients: World.RegionClients, eventSink: World.EventSink, consumerClients: ConsumerClients);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(json));
        await using var output = await handler.HandleAsync(input);
        return (await JsonDocument.ParseAsync(output)).RootElement.Clone();
    }

    /// <summary>KMS key states of the generations, oldest first ("Deleted" once KMS removed the key).</summary>
    public List<string> States() => [.. Generations.Select(id => World.Kms.GetKeySnapshot(id)?.KeyState ?? "Deleted")];

    /// <summary>The CloudTrail event EventBridge delivers when a call on a disabled key fails.</summary>
    public static string AttemptedUseEvent(string keyArn, string errorCode = "DisabledException", string user = "arn:aws:sts::111122223333:assumed-role/reports/batch") =>
        $$$"""
        {"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"AWS API Call via CloudTrail","source":"aws.kms",
         "account":"111122223333","time":"2027-01-01T00:00:00Z","region":"us-east-1","resources":[],
         "detail":{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:batch","arn":"{{{user}}}"},
          "eventTime":"2027-01-01T00:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-east-1",
          "errorCode":"{{{errorCode}}}","errorMessage":"{{{keyArn}}} is disabled.","requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"},
          "responseElements":null,"readOnly":true,"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"{{{keyArn}}}"}],
          "eventType":"AwsApiCall","managementEvent":true}}
        """;

    public void Dispose() => World.Dispose();
}
