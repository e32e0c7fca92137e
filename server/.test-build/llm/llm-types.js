export {};
//# sourceMappingURL=llm-types.js.map