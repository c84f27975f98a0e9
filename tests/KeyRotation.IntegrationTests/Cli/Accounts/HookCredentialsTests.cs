using System.Net;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.LocalKms;
using KeyRotation.Testing.Hooks;

namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary>
/// <c>rotate</c> invokes the move hooks as its KMS client calls KMS: with --profile's credentials, the role of
/// --role-arn, or each target's role with --accounts, never with whatever the default chain finds; each invocation is
/// signed for the function's own Region. The recording Lambda endpoint shows the identity and Region of each request.
/// </summary>
public sealed class HookCredentialsTests : IAsyncLifetime, IDisposable
{
    private const string Alias = "alias/orders";
    private static readonly string HookA = $"arn:aws:lambda:{AccountsHarness.RegionA}:{AccountsHarness.AccountA}:function:orders-key-check";
    private static readonly string HookB = $"arn:aws:lambda:{AccountsHarness.RegionB}:{AccountsHarness.AccountB}:function:orders-key-check";
    private readonly AccountsHarness _accounts = new();
    private readonly RecordingLambdaEndpoint _lambda = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-hooks-").FullName;

    public HookCredentialsTests() => _accounts.Environment["AWS_ENDPOINT_URL_LAMBDA"] = _lambda.Url.ToString();

    public Task InitializeAsync() => _accounts.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _accounts.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>xunit disposes the test class after <see cref="DisposeAsync"/>: the Lambda endpoint stops then.</summary>
    public void Dispose() => _lambda.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The alias's key names its own pre-move hook (the tag docs/hooks.md describes), which accepts the new key.</summary>
    private async Task CreateHookedAliasAsync(LocalKmsService account, string hook)
    {
        var key = await _accounts.CreateAliasAsync(account, Alias);
        using var kms = account.CreateClient();
        await kms.TagResourceAsync(new TagResourceRequest { KeyId = key, Tags = [new Tag { TagKey = RotationTags.PreMoveHook, TagValue = hook }] });
        _lambda.Then(HttpStatusCode.OK, """{"ok":true}""");
    }

    /// <summary>Each invocation: the function it named, and the access key and Region its SigV4 credential scope names.</summary>
    private List<(string Function, string? AccessKey, string Scope)> Invocations() => [.. _lambda.Requests.Select(r =>
    {
        var authorization = r.Headers["Authorization"];
        var credential = authorization.Split("Credential=")[1].Split(',')[0].Split('/');
        return (Uri.UnescapeDataString(r.RawPath.Split('/')[3]), AccountRouter.AccessKeyIdOf(authorization), $"{credential[2]}/{credential[3]}");
    })];

    [Fact]
    public async Task Rotate_AcrossAccounts_InvokesEachTargetsHookWithThatTargetsRole()
    {
        await CreateHookedAliasAsync(_accounts.A, HookA);
        await CreateHookedAliasAsync(_accounts.B, HookB);

        var run = await _accounts.RunAsync("rotate", Alias, "--accounts", _accounts.WriteAccountsFile(AccountsHarness.BothAccounts), "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            [(HookA, "ASIAACCOUNTA00000001", $"{AccountsHarness.RegionA}/lambda"), (HookB, "ASIAACCOUNTB00000001", $"{AccountsHarness.RegionB}/lambda")],
            Invocations());
    }

    [Fact]
    public async Task Rotate_WithRoleArn_InvokesTheHookWithTheAssumedRole()
    {
        await CreateHookedAliasAsync(_accounts.B, HookB);

        var run = await _accounts.RunAsync("rotate", Alias, "--yes", "--role-arn", AccountsHarness.RoleB, "--region", AccountsHarness.RegionB, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([(HookB, "ASIAACCOUNTB00000001", $"{AccountsHarness.RegionB}/lambda")], Invocations());
    }

    [Fact]
    public async Task Rotate_WithProfile_InvokesTheHookWithTheProfilesCredentials()
    {
        // The profile's key is the one account A's KMS answers to here, as its own credentials would be.
        await CreateHookedAliasAsync(_accounts.A, HookA);
        _accounts.Router.Route("AKIAPROFILE000000001", _accounts.ServerA.Url);
        var credentials = Path.Combine(_directory, "credentials");
        File.WriteAllText(credentials, "[ops]\naws_access_key_id = AKIAPROFILE000000001\naws_secret_access_key = profile-secret\n");
        _accounts.Environment["AWS_SHARED_CREDENTIALS_FILE"] = credentials;

        var run = await _accounts.RunAsync("rotate", Alias, "--yes", "--profile", "ops", "--region", AccountsHarness.RegionA, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([(HookA, "AKIAPROFILE000000001", $"{AccountsHarness.RegionA}/lambda")], Invocations());
    }
}
