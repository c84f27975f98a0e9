using System.Collections.Concurrent;
using KeyRotation.Core;
using KeyRotation.Integrations.Clients;

namespace KeyRotation.Cli;

/// <summary>
/// Where a command's notifications go: SNS when a topic is configured (NOTIFICATION_TOPIC_ARN or
/// --notification-topic-arn) and not in the sandbox; otherwise they are kept and printed with the output.
/// </summary>
internal sealed class Notices : IRotationNotifier
{
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient(new SocketsHttpHandler { ConnectTimeout = AwsSettings.ConnectTimeout }));

    private readonly IRotationNotifier? _sns;
    private readonly ConcurrentQueue<RotationNotice> _notices = new();

    private Notices(IRotationNotifier? sns) => _sns = sns;

    /// <summary>The notices printed instead of published, in order.</summary>
    public IReadOnlyList<RotationNotice> Printed => [.. _notices];

    public bool Publishing => _sns is not null;

    /// <summary>Publishing with <paramref name="credentials"/> when given (a target account's), else the command's own.</summary>
    public static Notices Create(CliContext context, string? topicArn, Amazon.Runtime.AWSCredentials? credentials = null)
    {
        if (context.IsSandbox || topicArn is null)
        {
            return new Notices(null);
        }

        // The same identity as the KMS calls (--profile, the access key variables, or the SDK's default chain).
        return new Notices(AwsClients.CreateNotifier(context.Environment, topicArn, SharedHttp.Value, credentials ?? context.Credentials(), context.Host.Time));
    }

    public async Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
    {
        if (_sns is not null)
        {
            await _sns.NotifyAsync(notice, cancellationToken);
            return;
        }

        _notices.Enqueue(notice);
    }

    /// <summary>For a dry run, which sends nothing.</summary>
    internal sealed class Silent : IRotationNotifier
    {
        public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
