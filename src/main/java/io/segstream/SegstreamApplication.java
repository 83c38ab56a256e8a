package io.segstream;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class SegstreamApplication {

    public static void main(String[] args) {
        SpringApplication.run(SegstreamApplication.class, args);
    }
}
