using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement.Model;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Retention;
using KeyRotation.Function;
using KeyRotation.Integrations.Consumers;
using KeyRotation.LocalConsumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>
/// RETIRE_CHECK_CONSUMERS through the real retention handler, the composition root's consumer sources and the real
/// DynamoDB, SSM, EC2 and S3 SDK clients against the local endpoints: a generation a table or a parameter still
/// references by key ARN or key id is kept and the refusal names them, it is retired once the references moved, a
/// resource that cannot be read keeps it untouched, and with the setting off not one consumer request is sent.
/// </summary>
public sealed partial class RetirementConsumersTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly LocalDynamoDb _dynamoDb = new();
    private readonly LocalSsm _ssm = new();
    private readonly LocalEc2 _ec2 = new();
    private readonly LocalS3Server _s3 = new();
    private RetentionHarness _h = null!;
    private ConsumerClients _clients = null!;

    /// <summary>Generation 2 of the four (1 the original key, 3 retained, 4 current) is the one retention disables next.</summary>
    private string Second => _h.Generations[1];

    private int ConsumerRequests => _dynamoDb.Requests.Count + _ssm.Requests.Count + _ec2.Requests.Count + _s3.Calls.Count;

    public async Task InitializeAsync()
    {
        _h = await new RetentionHarness().WithGenerationsAsync(4);
        _clients = ConsumerClients.Create(new BasicAWSCredentials("AKIDRETENTION", "retention-secret"), "us-east-1", new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_ENDPOINT_URL_DYNAMODB"] = _dynamoDb.Url.ToString(),
            ["AWS_ENDPOINT_URL_SSM"] = _ssm.Url.ToString(),
            ["AWS_ENDPOINT_URL_EC2"] = _ec2.Url.ToString(),
            ["AWS_ENDPOINT_URL_S3"] = _s3.Url.ToString(),
        });
        _h.ConsumerClients = _clients;
        _h.Environment[SettingNames.RetireCheckConsumers] = "true";
        _h.World.Kms.ClearRecordedRequests();
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _clients.Dispose();
        _h.Dispose();
        await _dynamoDb.DisposeAsync();
        await _ssm.DisposeAsync();
        await _ec2.DisposeAsync();
        await _s3.DisposeAsync();
    }

    private string ArnOf(string keyId) => _h.World.Key(keyId).Arn;

    /// <summary>Generation 2 of another alias built with <see cref="RetentionHarness.WithGenerationsAsync"/>: the one retention disables next.</summary>
    private string SecondOf(string alias) =>
        _h.World.CreatedFor(alias).Single(k => k.Tags[Core.RotationTags.Generation] == "2").KeyId;

    private IEnumerable<LocalKms.LocalKmsRecordedRequest> KmsRequests(string operation, string keyId) =>
        _h.World.Kms.RecordedRequests.Where(r => r.Operation == operation && r.Body.Contains(keyId, StringComparison.Ordinal));

    [Fact]
    public async Task Run_GenerationReferencedByATableAndAParameter_IsKeptAndTheRefusalNamesBoth()
    {
        _dynamoDb.AddTable("orders", ArnOf(Second));
        _ssm.AddSecureString("/app/db-password", "s3cret", Second);

        var response = await _h.InvokeAsync();

        Assert.Equal(["Enabled", "Enabled", "Enabled", "Enabled"], _h.States());
        var refused = Assert.Single(response.GetProperty("refused").EnumerateArray());
        Assert.Equal((Second, "Disable"), (refused.GetProperty("keyId").GetString(), refused.GetProperty("refusedAction").GetString()));
        Assert.StartsWith("referenced by 2 consumer(s): dynamodb table orders, ssm parameter /app/db-password", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var consumers = refused.GetProperty("proof").GetProperty("consumers");
        Assert.Equal(2, consumers.GetProperty("count").GetInt32());
        Assert.Equal(["key ARN", "key id"], consumers.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("via").GetString()));
        Assert.Empty(KmsRequests("DisableKey", Second));
        Assert.Empty(KmsRequests("TagResource", Second));
        var notice = Assert.Single(_h.World.Sns.Snapshot(), m => m.GetValueOrDefault("Subject")?.Contains("still in use", StringComparison.Ordinal) == true);
        Assert.Contains("dynamodb table orders", notice["Message"], StringComparison.Ordinal);
        Assert.Contains(_h.World.Logs.Split('\n'), line => line.Contains("Disable refused: referenced by 2 consumer(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ReferencesMovedToTheCurrentKeyOrTheAlias_RetiresTheGenerationWithTheInventoryInItsProof()
    {
        _dynamoDb.AddTable("orders", ArnOf(Second));
        _ssm.AddSecureString("/app/db-password", "s3cret", ArnOf(Second));
        await _h.InvokeAsync();
        Assert.Equal("Enabled", _h.States()[1]);

        // What migrate does: the table onto the current key, the parameter written again through the alias.
        await _clients.DynamoDb.UpdateTableAsync(new UpdateTableRequest { TableName = "orders", SSESpecification = new SSESpecification { Enabled = true, SSEType = "KMS", KMSMasterKeyId = ArnOf(_h.Generations[^1]) } });
        await _clients.Ssm.PutParameterAsync(new PutParameterRequest { Name = "/app/db-password", Value = "s3cret", Type = "SecureString", KeyId = RetentionHarness.Alias, Overwrite = true });
        var response = await _h.InvokeAsync();

        Assert.Equal(["Enabled", "Disabled", "Enabled", "Enabled"], _h.States());
        var action = response.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("keyId").GetString() == Second);
        Assert.Equal(0, action.GetProperty("proof").GetProperty("consumers").GetProperty("count").GetInt32());
        Assert.Contains("no consumer references it by key id or ARN (2 KMS-encrypted resource(s) checked)", action.GetProperty("proof").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("d - consumers none of 2: key never used", _h.World.Key(Second).Tags[RetentionTags.DisableProof], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TableTheRoleMayNotDescribe_LeavesTheKeyUntouchedAndFailsNamingTheTable()
    {
        _dynamoDb.AddTable("orders", ArnOf(_h.Generations[^1]));
        _dynamoDb.Denied.Add("orders");

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _h.InvokeAsync());

        Assert.Contains("could not check 1 resource(s), which may reference it: dynamodb table orders (AccessDeniedException", error.Message, StringComparison.Ordinal);
        Assert.Contains("was not touched", error.Message, StringComparison.Ordinal);
        Assert.Equal(["Enabled", "Enabled", "Enabled", "Enabled"], _h.States());
        Assert.Empty(KmsRequests("DisableKey", Second));
        Assert.Empty(KmsRequests("TagResource", Second));
    }

    [Fact]
    public async Task Run_TwoRetirementsOfOneAlias_ScanTheConsumersOnce()
    {
        // Generation 2 was disabled long enough to be scheduled for deletion; generation 3 is now due to be disabled.
        _h.Environment[SettingNames.RetireCheckConsumers] = "false";
        await _h.InvokeAsync();
        await _h.RotateAsync();
        _h.World.Time.Advance(TimeSpan.FromDays(120));
        _h.Environment[SettingNames.RetireCheckConsumers] = "true";

        var response = await _h.InvokeAsync();

        Assert.Equal(["Disable", "ScheduleDeletion"], response.GetProperty("actions").EnumerateArray()
            .Select(a => a.GetProperty("action").GetString()).Where(a => a is "Disable" or "ScheduleDeletion").Order(StringComparer.Ordinal));
        Assert.Single(_dynamoDb.Of("ListTables"));
        Assert.Single(_ssm.Of("DescribeParameters"));
    }

    [Fact]
    public async Task Run_ThreeAliasesDue_ListEachSourceOnceAndJudgeEachAliasOnItsOwnGenerations()
    {
        await _h.WithGenerationsAsync(4, "alias/reports");
        await _h.WithGenerationsAsync(4, "alias/billing");
        _h.Environment[SettingNames.RotationAliases] = RetentionHarness.Alias + ",alias/reports,alias/billing";
        var billingSecond = SecondOf("alias/billing");
        _dynamoDb.AddTable("orders", ArnOf(Second));
        _ssm.AddSecureString("/billing/token", "s3cret", billingSecond);

        var response = await _h.InvokeAsync();

        Assert.Equal([(RetentionHarness.Alias, Second), ("alias/billing", billingSecond)], response.GetProperty("refused").EnumerateArray()
            .Select(r => (r.GetProperty("alias").GetString(), r.GetProperty("keyId").GetString())).OrderBy(r => r.Item1 == RetentionHarness.Alias ? 0 : 1));
        Assert.Equal("Enabled", _h.World.Key(Second).KeyState);
        Assert.Equal("Enabled", _h.World.Key(billingSecond).KeyState);
        Assert.Equal("Disabled", _h.World.Key(SecondOf("alias/reports")).KeyState);
        Assert.Single(_dynamoDb.Of("ListTables"));
        Assert.Single(_dynamoDb.Of("DescribeTable"));
        Assert.Single(_ssm.Of("DescribeParameters"));
        Assert.Single(_ec2.Of("DescribeVolumes"));
        Assert.Single(_ec2.Of("DescribeSnapshots"));
        Assert.Single(_s3.CallsOf("ListBuckets"));
    }

    [Fact]
    public async Task Run_TwoAliasesAndATableItMayNotRead_FailsBothWithTheTableFromTheOneListing()
    {
        await _h.WithGenerationsAsync(4, "alias/reports");
        _h.Environment[SettingNames.RotationAliases] = RetentionHarness.Alias + ",alias/reports";
        _dynamoDb.AddTable("orders", ArnOf(_h.Generations[^1]));
        _dynamoDb.Denied.Add("orders");

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _h.InvokeAsync());

        Assert.Contains($"({RetentionHarness.Alias}) failed: Not attempted: the consumer inventory could not check 1 resource(s), which may reference it: dynamodb table orders", error.Message, StringComparison.Ordinal);
        Assert.Contains("(alias/reports) failed: Not attempted: the consumer inventory could not check 1 resource(s), which may reference it: dynamodb table orders", error.Message, StringComparison.Ordinal);
        Assert.Equal("Enabled", _h.World.Key(SecondOf("alias/reports")).KeyState);
        Assert.Single(_dynamoDb.Of("ListTables"));
        Assert.Single(_ssm.Of("DescribeParameters"));
    }

    [Fact]
    public async Task Run_ADisabledGenerationATableStillReferences_IsKeptDisabledAndTheRefusalSaysItCannotDecryptAndHowToReEnable()
    {
        // Generation 2 was disabled before the check was on; a table still names it, so it cannot decrypt today.
        _h.Environment[SettingNames.RetireCheckConsumers] = "false";
        await _h.InvokeAsync();
        Assert.Equal("Disabled", _h.States()[1]);
        _h.World.Time.Advance(TimeSpan.FromDays(120));
        _h.Environment[SettingNames.RetireCheckConsumers] = "true";
        _dynamoDb.AddTable("orders", ArnOf(Second));

        var response = await _h.InvokeAsync();

        Assert.Equal("Disabled", _h.States()[1]);
        Assert.Empty(KmsRequests("ScheduleKeyDeletion", Second));
        Assert.Empty(KmsRequests("EnableKey", Second));
        var refused = Assert.Single(response.GetProperty("refused").EnumerateArray(), r => r.GetProperty("keyId").GetString() == Second);
        Assert.Equal("ScheduleDeletion", refused.GetProperty("refusedAction").GetString());
        var expected = $"referenced by 1 consumer(s) while disabled: they cannot decrypt until it is re-enabled: dynamodb table orders; re-enable it with aws kms enable-key --key-id {Second} and tag it keyrotation:reenabled-at so retention leaves it alone";
        Assert.StartsWith(expected, refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains($"then move them off it with keyrotation migrate {RetentionHarness.Alias}", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var notice = Assert.Single(_h.World.Sns.Snapshot(), m => m.GetValueOrDefault("Subject")?.Contains("still in use", StringComparison.Ordinal) == true);
        Assert.Contains(expected, notice["Message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AnEnabledGenerationATableReferences_IsNotDescribedAsDisabled()
    {
        _dynamoDb.AddTable("orders", ArnOf(Second));

        var response = await _h.InvokeAsync();

        var reason = Assert.Single(response.GetProperty("refused").EnumerateArray()).GetProperty("reason").GetString();
        Assert.DoesNotContain("while disabled", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("enable-key", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SettingOff_SendsNoConsumerRequestAtAll()
    {
        _dynamoDb.AddTable("orders", ArnOf(Second));
        _h.Environment.Remove(SettingNames.RetireCheckConsumers);

        var response = await _h.InvokeAsync();

        Assert.Equal(["Enabled", "Disabled", "Enabled", "Enabled"], _h.States());
        Assert.Equal(0, ConsumerRequests);
        var action = response.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("keyId").GetString() == Second);
        Assert.False(action.GetProperty("proof").TryGetProperty("consumers", out _));
    }

    [Fact]
    public async Task Run_NothingToRetire_SendsNoConsumerRequest()
    {
        _h.Environment[SettingNames.DisableAfterDays] = "3650";

        await _h.InvokeAsync();

        Assert.Equal(0, ConsumerRequests);
    }

    [Fact]
    public async Task DryRun_GenerationReferencedByAVolume_IsReportedKept()
    {
        _ec2.AddVolume(new EbsVolume("vol-0a1b2c", ArnOf(Second)));

        var response = await _h.InvokeAsync("""{"dryRun":true}""");

        var refused = Assert.Single(response.GetProperty("refused").EnumerateArray());
        Assert.StartsWith("referenced by 1 consumer(s): ec2 volume vol-0a1b2c", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, refused.GetProperty("proof").GetProperty("consumers").GetProperty("notChecked").ValueKind);
    }

    [Fact]
    public async Task Handler_MalformedSetting_RefusesEveryInvocationNamingTheVariableAndCallsNothing()
    {
        _h.Environment[SettingNames.RetireCheckConsumers] = "yes";

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _h.InvokeAsync());

        Assert.Contains("RETIRE_CHECK_CONSUMERS: 'yes' is not true or false.", error.Message, StringComparison.Ordinal);
        Assert.Empty(_h.World.Kms.RecordedRequests);
        Assert.Equal(0, ConsumerRequests);
    }

    [Theory]
    [InlineData(SettingNames.MaxKeyAgeDays, "ninety")]
    [InlineData(SettingNames.RotationSchedule, "fortnightly")]
    public async Task Run_MalformedRotationSetting_DoesNotStopAnOrdinaryRetentionRun(string name, string value)
    {
        _h.Environment[name] = value;

        await _h.InvokeAsync();

        Assert.Equal(["Enabled", "Disabled", "Enabled", "Enabled"], _h.States());
    }
}
