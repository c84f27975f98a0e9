using Amazon.Runtime;
using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary>
/// IAM Identity Center (SSO) profiles resolve through the SDK's profile chain as in the AWS CLI (AWSSDK.SSO and
/// AWSSDK.SSOOIDC are referenced). The token exchange itself needs the SSO portal, so these tests go as far as the
/// SDK resolving the profile and asking for a cached token.
/// </summary>
public sealed class SsoProfileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-sso-").FullName;
    private readonly string _session = $"corp-{Guid.NewGuid():N}";

    public SsoProfileTests()
    {
        // The config file beside the credentials file is read when AWS_CONFIG_FILE is not set, as the AWS CLI does.
        File.WriteAllText(Path.Combine(_directory, "credentials"), string.Empty);
        File.WriteAllText(Path.Combine(_directory, "config"), $"""
            [profile dev-sso]
            sso_session = {_session}
            sso_account_id = 111111111111
            sso_role_name = KeyRotationOperator
            region = eu-west-1

            [sso-session {_session}]
            sso_start_url = https://example.awsapps.com/start
            sso_region = us-east-1
            sso_registration_scopes = sso:account:access
            """);
    }

    private Dictionary<string, string> Environment => new(StringComparer.Ordinal) { ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_directory, "credentials") };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ResolveCredentials_SsoSessionProfile_IsTheSdksSsoCredentialsForThatAccountAndRole()
    {
        var (credentials, region) = AwsSettings.ResolveCredentials("dev-sso", Environment, null);

        var sso = Assert.IsType<SSOAWSCredentials>(credentials);
        Assert.Equal("111111111111", sso.AccountId);
        Assert.Equal("KeyRotationOperator", sso.RoleName);
        Assert.Equal("us-east-1", sso.Region);
        Assert.Equal("https://example.awsapps.com/start", sso.StartUrl);
        Assert.Equal("eu-west-1", region);
    }

    [Fact]
    public async Task Status_SsoProfileWithoutALogin_AsksForAwsSsoLoginInsteadOfSayingTheProfileIsMissing()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(["status", "alias/orders", "--profile", "dev-sso", "--endpoint-url", "http://127.0.0.1:9/"], stdout, stderr, Environment, new CliHost(), CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Equal("keyrotation status: " + AwsSettings.NoCredentials, stderr.ToString().Trim());
    }

    [Fact]
    public async Task Status_ProfileNotInTheFiles_SaysItWasNotFound()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(["status", "alias/orders", "--profile", "no-such-profile", "--endpoint-url", "http://127.0.0.1:9/"], stdout, stderr, Environment, new CliHost(), CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.StartsWith("keyrotation status: The AWS profile 'no-such-profile' was not found", stderr.ToString(), StringComparison.Ordinal);
    }
}
