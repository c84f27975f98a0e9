using System.Reflection;
using System.Text.Json;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Configuration;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>Process environment variables are global: tests that set them run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentTests
{
    public const string Name = "Process environment";
}

/// <summary>
/// The handler as the managed runtime runs it: resolved from its handler string, built with its public
/// parameterless constructor from environment variables only, talking HTTP to endpoints on 127.0.0.1 set through
/// the standard AWS_ENDPOINT_URL_* variables.
/// </summary>
[Collection(ProcessEnvironmentTests.Name)]
public sealed class HandlerEnvironmentTests
{
    private const string HandlerString = "KeyRotation.Function::KeyRotation.Function.Handler::HandleAsync";

    [Theory]
    [InlineData("scheduled-event.json", "Rotated")]
    [InlineData("scheduler.json", "Rotated")]
    [InlineData("manual-all.json", "Rotated")]
    [InlineData("manual-dry-run.json", "Planned")]
    [InlineData("manual-force.json", "Rotated")]
    public async Task HandleAsync_BuiltFromEnvironmentAndInvokedWithSample_RotatesThroughTheEndpoints(string sample, string outcome)
    {
        var kms = new LocalKmsService(new LocalKmsOptions { Region = "eu-west-1" });
        await using var kmsServer = LocalKmsServer.Start(kms);
        var sns = new FakeSns();
        await using var snsServer = new FakeSnsServer(sns);
        using (var client = kms.CreateClient())
        {
            var key = await client.CreateKeyAsync(new CreateKeyRequest { Description = "app data" });
            await client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/app-data", TargetKeyId = key.KeyMetadata.KeyId });
        }

        using var environment = new EnvironmentScope(new Dictionary<string, string?>
        {
            [SettingNames.RotationAliases] = "alias/app-data",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
            [SettingNames.MinKeyAgeHours] = "0",
            ["AWS_REGION"] = "eu-west-1",
            ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_ENDPOINT_URL_KMS"] = kmsServer.Url.ToString(),
            ["AWS_ENDPOINT_URL_SNS"] = snsServer.Url.ToString(),
        });

        var parts = HandlerString.Split("::");
        var type = Assembly.Load(parts[0]).GetType(parts[1], throwOnError: true)!;
        var handler = Activator.CreateInstance(type)!;
        var method = type.GetMethod(parts[2], [typeof(Stream)])!;
        await using var input = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "events", sample));
        await using var output = await (Task<Stream>)method.Invoke(handler, [input])!;

        using var response = await JsonDocument.ParseAsync(output);
        Assert.Equal(outcome, response.RootElement.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal(outcome == "Rotated" ? 1 : 0, sns.Snapshot().Count);
        Assert.Contains(kms.RecordedRequests, r => r.Operation == "DescribeKey");
    }

    /// <summary>Sets process environment variables and restores the previous values.</summary>
    private sealed class EnvironmentScope : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = new(StringComparer.Ordinal);

        public EnvironmentScope(Dictionary<string, string?> variables)
        {
            foreach (var (name, value) in variables)
            {
                _previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
