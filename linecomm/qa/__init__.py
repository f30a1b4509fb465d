"""Member Q&A (顧客同士の助言): questions, answers, best answers and the FAQ they grow into."""
