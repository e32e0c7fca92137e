export {};
//# sourceMappingURL=tracing-types.js.map