namespace Feeds.Tests.Support;

/// <summary>Wraps a registered service in a test double, without naming the implementation it wraps.</summary>
public static class ServiceDecoration
{
    /// <summary>
    /// Replaces the last registration of <typeparamref name="TService"/> with <paramref name="decorate"/> applied to what it
    /// registered, as one singleton: a store contract with a fault planted, say, over the real one.
    /// </summary>
    public static IServiceCollection Decorate<TService>(this IServiceCollection services, Func<TService, TService> decorate)
        where TService : class
    {
        var original = services.Last(descriptor => descriptor.ServiceType == typeof(TService));
        services.Remove(original);
        services.AddSingleton(provider => decorate((TService)Create(original, provider)));
        return services;
    }

    private static object Create(ServiceDescriptor original, IServiceProvider provider) =>
        original.ImplementationInstance
        ?? original.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, original.ImplementationType!);
}
