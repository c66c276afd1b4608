using System.Reflection;
using EvalHarness.Engine;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.Glue;

/// <summary>
/// Saliency methods from .NET assemblies named in a config (<c>assembly:</c> + <c>type:</c>).
/// INTERIM: replace the body of <see cref="Load"/> by AssemblyMethod.Load(path, typeName, parameters)
/// when that lands. The type needs a public constructor taking IReadOnlyDictionary&lt;string, string&gt;
/// (its parameters) or, when the config gives none, a parameterless one.
/// </summary>
public static class ExternalMethods
{
    public static ISaliencyMethod Load(string path, string typeName, IReadOnlyDictionary<string, string> parameters)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.LoadFrom(path);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            throw new FileFormatException(path, $"is not a .NET assembly that can be loaded ({e.Message}).");
        }
        var candidates = assembly.GetExportedTypes().Where(t => typeof(ISaliencyMethod).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        var type = assembly.GetType(typeName) ?? candidates.FirstOrDefault(t => t.Name == typeName)
            ?? throw new UnknownNameException(NameMatcher.UnknownMessage("method type", typeName, candidates.Select(t => t.FullName!).ToList()));
        if (!typeof(ISaliencyMethod).IsAssignableFrom(type))
            throw new EvalHarnessException($"{type.FullName} in {path} does not implement ISaliencyMethod.");
        var withParameters = type.GetConstructor([typeof(IReadOnlyDictionary<string, string>)]);
        try
        {
            if (withParameters is not null) return (ISaliencyMethod)withParameters.Invoke([parameters]);
            if (parameters.Count > 0)
                throw new EvalHarnessException($"{type.FullName} takes no parameters (it has no constructor taking IReadOnlyDictionary<string, string>).");
            return (ISaliencyMethod)(Activator.CreateInstance(type)
                ?? throw new EvalHarnessException($"{type.FullName} could not be created."));
        }
        catch (TargetInvocationException e) when (e.InnerException is EvalHarnessException inner)
        {
            throw inner;
        }
    }
}
