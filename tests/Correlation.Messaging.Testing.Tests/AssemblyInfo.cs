// A flow recorder sees every flow of the process: all tests of this assembly are one collection, run one at a time.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
