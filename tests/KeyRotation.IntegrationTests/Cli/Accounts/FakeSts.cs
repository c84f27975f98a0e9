using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Web;

namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary>
/// An STS double on 127.0.0.1 that the SDK's STS client really calls: AssumeRole in STS's query protocol (a form POST
/// with Action=AssumeRole&amp;Version=2011-06-15, answered in the 2011-06-15 XML), with each role's trust condition
/// (the external id it requires) checked as STS does, and AccessDenied in STS's XML error shape otherwise. Each role
/// hands out its own access key id, which <see cref="AccountRouter"/> maps to that account's LocalKms.
/// </summary>
internal sealed class FakeSts : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, (string AccessKeyId, string? ExternalId)> _roles = new(StringComparer.Ordinal);

    public FakeSts()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
        }

        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    /// <summary>Every request's form fields, and the access key id its SigV4 Authorization header was signed with.</summary>
    public ConcurrentQueue<(Dictionary<string, string> Form, string? SignedBy)> Requests { get; } = new();

    /// <summary>A role that can be assumed (requiring <paramref name="externalId"/> when given), handing out <paramref name="accessKeyId"/>.</summary>
    public void AddRole(string roleArn, string accessKeyId, string? externalId = null) => _roles[roleArn] = (accessKeyId, externalId);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var fields = HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
            var form = fields.AllKeys.OfType<string>().ToDictionary(k => k, k => fields[k]!, StringComparer.Ordinal);
            Requests.Enqueue((form, AccountRouter.AccessKeyIdOf(context.Request.Headers["Authorization"])));
            var (status, body) = Answer(form);
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = (int)status;
            context.Response.ContentType = "text/xml";
            context.Response.Headers["x-amzn-RequestId"] = "sts-request-1";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private (HttpStatusCode Status, string Body) Answer(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("Action") != "AssumeRole" || form.GetValueOrDefault("Version") != "2011-06-15")
        {
            return Error(HttpStatusCode.BadRequest, "InvalidAction", $"Could not find operation {form.GetValueOrDefault("Action")} for version {form.GetValueOrDefault("Version")}");
        }

        var roleArn = form.GetValueOrDefault("RoleArn") ?? string.Empty;
        var session = form.GetValueOrDefault("RoleSessionName") ?? string.Empty;
        if (!_roles.TryGetValue(roleArn, out var role) || role.ExternalId != form.GetValueOrDefault("ExternalId"))
        {
            // STS does not say which condition failed: a wrong external id reads like any other refusal.
            return Error(HttpStatusCode.Forbidden, "AccessDenied", $"User: arn:aws:iam::999999999999:user/operator is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        }

        var account = roleArn.Split(':')[4];
        var name = roleArn[(roleArn.IndexOf(":role/", StringComparison.Ordinal) + ":role/".Length)..];
        return (HttpStatusCode.OK, $"""
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleResult>
                <SourceIdentity></SourceIdentity>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::{account}:assumed-role/{SecurityElement.Escape(name)}/{SecurityElement.Escape(session)}</Arn>
                  <AssumedRoleId>AROA{account}:{SecurityElement.Escape(session)}</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>{role.AccessKeyId}</AccessKeyId>
                  <SecretAccessKey>secret-{role.AccessKeyId}</SecretAccessKey>
                  <SessionToken>token-{role.AccessKeyId}</SessionToken>
                  <Expiration>2100-01-01T00:00:00Z</Expiration>
                </Credentials>
                <PackedPolicySize>0</PackedPolicySize>
              </AssumeRoleResult>
              <ResponseMetadata>
                <RequestId>sts-request-1</RequestId>
              </ResponseMetadata>
            </AssumeRoleResponse>
            """);
    }

    private static (HttpStatusCode, string) Error(HttpStatusCode status, string code, string message) => (status, $"""
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error>
            <Type>Sender</Type>
            <Code>{code}</Code>
            <Message>{SecurityElement.Escape(message)}</Message>
          </Error>
          <RequestId>sts-request-1</RequestId>
        </ErrorResponse>
        """);
}
